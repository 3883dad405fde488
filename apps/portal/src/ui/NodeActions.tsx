import { api, call } from '../api/client';
import { formatLabels, parseLabels } from '../api/fleet';
import type { EdgeNode } from '../api/types';
import { ConfirmedAction } from './ConfirmedAction';
import { FieldEditor, parseDisplayName } from './FieldEditor';

const NAME_MAX = 100; // the API's limit (UpdateNodeDto)

/** A node's display name as typed, trimmed; the reason when the API would refuse it. */
export function parseNodeName(text: string): { name: string } | { error: string } {
  return parseDisplayName(text, NAME_MAX, 'A node');
}

const patchNode = (node: EdgeNode, body: { name?: string; labels?: Record<string, string> }) => call(api.PATCH('/v1/nodes/{id}', { params: { path: { id: node.id } }, body }));

/** Cuts a gateway off for good (stolen, decommissioned, compromised): after a confirmation that says what it does. */
export function RevokeNode({ node, onRevoked }: { node: EdgeNode; onRevoked(): void }) {
  return (
    <ConfirmedAction label="Revoke node" title={`Revoke ${node.name}?`} confirmLabel="Revoke" perform={() => call(api.POST('/v1/nodes/{id}/revoke', { params: { path: { id: node.id } } }))} onDone={onRevoked}>
      <p>The node's key is refused from now on, on every control-plane replica, and its open streams end. It keeps enforcing the last policy it holds, offline; its history and audit trail stay. This cannot be undone: the gateway comes back only by enrolling again with a new token.</p>
    </ConfirmedAction>
  );
}

/** Tenant admins: a revoked (or never enrolled) node leaves the fleet's lists; what it did stays in the audit trail. */
export function RemoveNode({ node, onRemoved }: { node: EdgeNode; onRemoved(): void }) {
  return (
    <ConfirmedAction label="Remove node" title={`Remove ${node.name} from the fleet?`} confirmLabel="Remove" perform={() => call(api.DELETE('/v1/nodes/{id}', { params: { path: { id: node.id } } }))} onDone={onRemoved}>
      <p>It disappears from the site and the fleet, and its name becomes free for another gateway. Its audit trail stays, under the node's id, and still verifies. This cannot be undone.</p>
    </ConfirmedAction>
  );
}

/** Site operators: the node's labels as "key=value, …" text, checked here for its shape and by the API for its keys and values. */
export function EditLabels({ node, onSaved }: { node: EdgeNode; onSaved(): void }) {
  return (
    <FieldEditor
      openLabel="Edit labels"
      fieldLabel="Labels (key=value, separated by commas)"
      saveLabel="Save labels"
      initial={formatLabels(node.labels)}
      placeholder="line=a, zone=north"
      parse={(text) => {
        const parsed = parseLabels(text);
        return 'error' in parsed ? parsed : { value: parsed.labels };
      }}
      save={async (labels) => {
        await patchNode(node, { labels });
        onSaved();
      }}
    />
  );
}

/**
 * Site operators: the name people know the gateway by. It is the control plane's name for the node
 * (unique in its site); the node keeps its id, key, history and audit trail.
 */
export function RenameNode({ node, onSaved }: { node: EdgeNode; onSaved(): void }) {
  return (
    <FieldEditor
      openLabel="Rename"
      fieldLabel="Name"
      saveLabel="Save name"
      initial={node.name}
      placeholder="gw-line-a"
      parse={(text) => {
        const parsed = parseNodeName(text);
        return 'error' in parsed ? parsed : { value: parsed.name };
      }}
      save={async (name) => {
        if (name !== node.name) await patchNode(node, { name });
        onSaved();
      }}
    />
  );
}
