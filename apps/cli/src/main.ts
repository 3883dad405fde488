#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { verifyExport, type AuditExport } from './verify-export';

const USAGE = `usage: meridian-verify <export.json> [--trusted-key <keyId>=<base64 public key>]... [--json]

Verifies a Meridian audit export offline: every event's hash, every source's hash chain, the Merkle
root against the signed checkpoint, and the checkpoint signature. Pin the tenant's signing key with
--trusted-key (obtained out of band) for a check that does not rely on keys inside the file.
Exit codes: 0 verified, 1 verification failed (the first bad event is named), 2 bad usage or input.`;

function main(argv: string[]): number {
  const args = [...argv];
  const json = args.includes('--json');
  const trusted = new Map<string, Buffer>();
  const files: string[] = [];
  while (args.length) {
    const arg = args.shift()!;
    if (arg === '--json') continue;
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (arg === '--trusted-key') {
      const value = args.shift() ?? '';
      const [keyId, key] = value.split('=', 2);
      const raw = Buffer.from(key ?? '', 'base64');
      if (!keyId || raw.length !== 32) return fail(`--trusted-key expects <keyId>=<base64 of a 32-byte Ed25519 public key>, got "${value}"`);
      trusted.set(keyId, raw);
      continue;
    }
    if (arg.startsWith('-')) return fail(`unknown option ${arg}`);
    files.push(arg);
  }
  if (files.length !== 1) return fail('give exactly one export file');
  let data: AuditExport;
  try {
    data = JSON.parse(readFileSync(files[0]!, 'utf8')) as AuditExport;
  } catch (error) {
    return fail(`cannot read ${files[0]}: ${(error as Error).message}`);
  }
  if (!data || typeof data !== 'object' || !Array.isArray(data.events) || !data.checkpoint) return fail(`${files[0]} is not a Meridian audit export`);
  const result = verifyExport(data, trusted.size ? { trustedKeys: trusted } : {});
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else if (result.ok) process.stdout.write(`OK: ${result.events} events from ${result.sources} sources; tree size ${result.treeSize}, root ${result.rootHash}, signed by ${result.keyId}${trusted.size ? ' (pinned key)' : ' (key from the export: pin it with --trusted-key)'}\n`);
  else process.stdout.write(`FAILED: ${result.reason}\n`);
  return result.ok ? 0 : 1;

  function fail(message: string): number {
    process.stderr.write(`meridian-verify: ${message}\n${USAGE}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
