import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { generateEd25519KeyPair, loadPrivateKey, publicKeyOf } from '@meridian/crypto';
import type { EnrollResponse } from '@meridian/protocol';
import { ensurePrivateDirectory, writeFileAtomic } from './files';

/** Who this node is, as the control plane told it at enrollment. Persisted in the data directory. */
export interface NodeIdentityFile {
  nodeId: string;
  tenantId: string;
  siteId: string;
  siteCountry: string;
  policySigningKeys: { keyId: string; publicKey: string }[];
  heartbeatIntervalSeconds: number;
  enrolledAt: string;
  controlPlane: string;
}

export class IdentityError extends Error {}

export const KEY_FILE = 'node-key.pem';
export const IDENTITY_FILE = 'identity.json';

/** The node's Ed25519 key: generated here once, never sent anywhere, readable by this user only. */
export async function loadOrCreateKey(dataDir: string): Promise<{ privateKey: KeyObject; publicKey: Buffer; created: boolean }> {
  await ensurePrivateDirectory(dataDir);
  const file = path.join(dataDir, KEY_FILE);
  try {
    const stat = await fs.stat(file);
    if ((stat.mode & 0o077) !== 0) {
      throw new IdentityError(`${file} is readable by other users (mode ${(stat.mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
    }
    const privateKey = loadPrivateKey(await fs.readFile(file, 'utf8'));
    return { privateKey, publicKey: publicKeyOf(privateKey), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const pair = generateEd25519KeyPair();
  await writeFileAtomic(file, pair.privateKeyPem, 0o600);
  return { privateKey: loadPrivateKey(pair.privateKeyPem), publicKey: pair.publicKey, created: true };
}

export async function loadIdentity(dataDir: string): Promise<NodeIdentityFile | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dataDir, IDENTITY_FILE), 'utf8')) as NodeIdentityFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new IdentityError(`cannot read ${IDENTITY_FILE}: ${(error as Error).message}`);
  }
}

export async function saveIdentity(dataDir: string, response: EnrollResponse, controlPlane: string): Promise<NodeIdentityFile> {
  const identity: NodeIdentityFile = {
    nodeId: response.nodeId,
    tenantId: response.tenantId,
    siteId: response.siteId,
    siteCountry: response.siteCountry,
    policySigningKeys: response.policySigningKeys.map((k) => ({ keyId: k.keyId, publicKey: Buffer.from(k.publicKey).toString('base64') })),
    heartbeatIntervalSeconds: response.heartbeatIntervalSeconds || 10,
    enrolledAt: new Date().toISOString(),
    controlPlane,
  };
  await writeFileAtomic(path.join(dataDir, IDENTITY_FILE), `${JSON.stringify(identity, null, 2)}\n`, 0o600);
  return identity;
}
