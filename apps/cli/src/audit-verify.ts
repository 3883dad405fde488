import { readFileSync } from 'node:fs';
import { verifyAuditExport } from '@meridian/audit';

export const AUDIT_VERIFY_USAGE = `usage: meridian audit verify <bundle.json> [--trusted-key <keyId>=<base64 public key>]... [--json]

Verifies a Meridian audit export bundle offline, with none of Meridian's servers: the manifest
against each section, every event's hash and every source's hash chain, the Merkle root against the
newest signed checkpoint, each older checkpoint against the next by its consistency proof, and every
checkpoint signature. Pin the tenant's signing key with --trusted-key (obtained out of band) for a
check that does not rely on keys inside the file.
Exit codes: 0 verified, 1 verification failed (the first bad record is named), 2 bad usage or input.`;

export interface CommandOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export function auditVerify(argv: string[], out: CommandOutput): number {
  const args = [...argv];
  const json = args.includes('--json');
  const trusted = new Map<string, Buffer>();
  const files: string[] = [];
  const fail = (message: string): number => {
    out.stderr(`meridian audit verify: ${message}\n\n${AUDIT_VERIFY_USAGE}\n`);
    return 2;
  };
  while (args.length) {
    const arg = args.shift()!;
    if (arg === '--json') continue;
    if (arg === '-h' || arg === '--help') {
      out.stdout(`${AUDIT_VERIFY_USAGE}\n`);
      return 0;
    }
    if (arg === '--trusted-key') {
      const value = args.shift() ?? '';
      const separator = value.indexOf('=');
      const keyId = separator > 0 ? value.slice(0, separator) : '';
      const raw = Buffer.from(separator > 0 ? value.slice(separator + 1) : '', 'base64');
      if (!keyId || raw.length !== 32) return fail(`--trusted-key expects <keyId>=<base64 of a 32-byte Ed25519 public key>, got "${value}"`);
      trusted.set(keyId, raw);
      continue;
    }
    if (arg.startsWith('-')) return fail(`unknown option ${arg}`);
    files.push(arg);
  }
  if (files.length !== 1) return fail('give exactly one bundle file');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(files[0]!, 'utf8'));
  } catch (error) {
    return fail(`cannot read ${files[0]} as JSON: ${(error as Error).message}`);
  }
  const result = verifyAuditExport(data, trusted.size ? { trustedKeys: trusted } : {});
  if (json) out.stdout(`${JSON.stringify(result)}\n`);
  else if (result.ok) {
    const keyNote = trusted.size ? ' (pinned keys)' : ' (keys from the bundle: pin them with --trusted-key)';
    out.stdout(`OK: ${result.events} events from ${result.sources} sources; ${result.checkpoints} checkpoints up to tree size ${result.treeSize}, root ${result.rootHash}; signed by ${result.keyIds.join(', ')}${keyNote}\n`);
  } else {
    const where = result.sourceId !== undefined ? ` [source ${result.sourceId}${result.seq !== undefined ? `, seq ${result.seq}` : ''}${result.logIndex !== undefined ? `, log index ${result.logIndex}` : ''}]` : '';
    out.stdout(`FAILED: ${result.reason}${where}\n`);
  }
  return result.ok ? 0 : 1;
}
