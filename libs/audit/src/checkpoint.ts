import type { KeyObject } from 'node:crypto';
import { signEd25519, verifyEd25519 } from '@meridian/crypto';

/**
 * A signed statement of a tenant log's size and root at a moment (like a CT signed tree head):
 * whoever holds two checkpoints and a consistency proof knows the log only grew in between.
 */
export interface Checkpoint {
  logId: string;
  treeSize: number;
  rootHash: string; // hex
  timestamp: string; // ISO 8601
  keyId: string;
  signature: string; // base64 Ed25519
}

export function checkpointSigningText(c: Omit<Checkpoint, 'signature'>): string {
  return `meridian.checkpoint.v1\n${c.logId}\n${c.treeSize}\n${c.rootHash}\n${c.timestamp}\n${c.keyId}\n`;
}

export function signCheckpoint(body: Omit<Checkpoint, 'signature'>, key: KeyObject): Checkpoint {
  return { ...body, signature: signEd25519(key, checkpointSigningText(body)).toString('base64') };
}

export function verifyCheckpoint(checkpoint: Checkpoint, publicKey: Uint8Array): boolean {
  const { signature, ...body } = checkpoint;
  return verifyEd25519(publicKey, checkpointSigningText(body), Buffer.from(signature, 'base64'));
}
