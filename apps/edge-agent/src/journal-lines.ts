import { promises as fs } from 'node:fs';

const READ_BLOCK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

export interface FileLine {
  /** The line without its newline, decoded as UTF-8. */
  text: string;
  /** Byte offsets of the line's start and of just after its newline (or its end, when torn). */
  start: number;
  end: number;
  /** True for a last line with no newline: a write cut short by a crash. */
  torn: boolean;
}

/**
 * The lines of a file from byte `from` up to byte `to` (exclusive; default: the end when read), read
 * in 1 MiB blocks: memory stays bounded whatever the file's size (a whole journal read as one string
 * would need as much memory as the file, and Node refuses strings over ~512 MiB). Lines are cut on
 * the newline byte, which never occurs inside a multi-byte UTF-8 character.
 */
export async function* fileLines(file: string, from = 0, to = Number.POSITIVE_INFINITY): AsyncGenerator<FileLine> {
  const handle = await fs.open(file, 'r');
  try {
    const block = Buffer.allocUnsafe(READ_BLOCK_BYTES);
    let carry: Buffer = Buffer.alloc(0);
    let carryStart = from;
    for (;;) {
      const position = carryStart + carry.length;
      const wanted = Math.min(READ_BLOCK_BYTES, to - position);
      if (wanted <= 0) break;
      const { bytesRead } = await handle.read(block, 0, wanted, position);
      if (bytesRead === 0) break;
      const data = carry.length > 0 ? Buffer.concat([carry, block.subarray(0, bytesRead)]) : block.subarray(0, bytesRead);
      let lineStart = 0;
      for (let newline = data.indexOf(NEWLINE); newline !== -1; newline = data.indexOf(NEWLINE, lineStart)) {
        yield { text: data.toString('utf8', lineStart, newline), start: carryStart + lineStart, end: carryStart + newline + 1, torn: false };
        lineStart = newline + 1;
      }
      carry = Buffer.from(data.subarray(lineStart)); // a copy: the block is reused by the next read
      carryStart += lineStart;
    }
    if (carry.length > 0) yield { text: carry.toString('utf8'), start: carryStart, end: carryStart + carry.length, torn: true };
  } finally {
    await handle.close();
  }
}
