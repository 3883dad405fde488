import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyChain } from '@meridian/audit';
import { Journal, readJournal } from '../src/journal';

const repoRoot = path.resolve(__dirname, '../../..');
const writer = `
const pino = require('pino');
const { Journal } = require(${JSON.stringify(path.join(repoRoot, 'apps/edge-agent/dist/journal.js'))});
(async () => {
  const journal = await Journal.open(process.argv[1], { maxBytes: 50e6, flushIntervalMs: 2, retentionMs: 864e5, segmentBytes: 4000 }, pino({ level: 'silent' }));
  let i = 0;
  for (;;) {
    await Promise.all(Array.from({ length: 20 }, () => journal.append({ at: new Date().toISOString(), type: 'policy.decision', actor: 'node:n1', data: { i: i++, pad: 'x'.repeat(200) } })));
    process.stdout.write(String(journal.lastSeq) + '\\n');
  }
})();
`;

/** kill -9 at arbitrary moments while the journal writes; every reopen must find an intact chain containing every durable record. */
describe('journal survives kill -9', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps an intact chain with every record reported durable, over repeated crashes', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-crash-'));
    dirs.push(dir);
    let durable = 0;
    for (let round = 0; round < 5; round += 1) {
      const child = spawn(process.execPath, ['-e', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let reported = 0;
      let writing!: () => void;
      const started = new Promise<void>((resolve) => (writing = resolve));
      child.stdout.on('data', (chunk: Buffer) => {
        const last = chunk.toString().trim().split('\n').pop();
        if (last) reported = Number(last);
        writing();
      });
      // killed at an arbitrary moment once it is writing (however long the process took to start)
      await started;
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 300));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));
      const journal = await Journal.open(dir, { maxBytes: 50e6, flushIntervalMs: 2, retentionMs: 864e5, segmentBytes: 4000 }, pino({ level: 'silent' }));
      expect(journal.lastSeq, `round ${round}`).toBeGreaterThanOrEqual(reported);
      expect(journal.lastSeq).toBeGreaterThanOrEqual(durable);
      durable = journal.lastSeq;
      await journal.close();
    }
    const records = await readJournal(dir);
    expect(records.length).toBe(durable);
    // small segments, so crashes also land on segment changes
    expect((await fs.readdir(path.join(dir, 'journal'))).filter((name) => name.startsWith('segment-')).length).toBeGreaterThan(5);
    expect(verifyChain(records)).toEqual({ ok: true });
    console.log(`5 kill -9 rounds: ${durable} records, chain intact`);
  });
});
