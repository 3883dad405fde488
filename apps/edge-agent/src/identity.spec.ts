import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDENTITY_FILE, IdentityError, KEY_FILE, loadIdentity, loadOrCreateKey, saveIdentity } from './identity';

describe('node identity on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-agent-')), 'data');
  });
  afterEach(async () => {
    await fs.rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('creates a private key with mode 0600 in a 0700 directory, once', async () => {
    const first = await loadOrCreateKey(dir);
    expect(first.created).toBe(true);
    expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.join(dir, KEY_FILE))).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateKey(dir);
    expect(second.created).toBe(false);
    expect(second.publicKey.equals(first.publicKey)).toBe(true);
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a key file others can read', async () => {
    await loadOrCreateKey(dir);
    await fs.chmod(path.join(dir, KEY_FILE), 0o644);
    await expect(loadOrCreateKey(dir)).rejects.toThrow(IdentityError);
  });

  it('persists the enrollment', async () => {
    expect(await loadIdentity(dir)).toBeUndefined();
    await loadOrCreateKey(dir);
    await saveIdentity(
      dir,
      { nodeId: 'n', tenantId: 't', siteId: 's', siteCountry: 'CL', policySigningKeys: [{ keyId: 'k', publicKey: Buffer.alloc(32, 1) }], heartbeatIntervalSeconds: 5 },
      '127.0.0.1:50051',
    );
    expect(await loadIdentity(dir)).toMatchObject({ nodeId: 'n', siteCountry: 'CL', heartbeatIntervalSeconds: 5, policySigningKeys: [{ keyId: 'k' }] });
    expect((await fs.stat(path.join(dir, IDENTITY_FILE))).mode & 0o777).toBe(0o600);
  });
});
