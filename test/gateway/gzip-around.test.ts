/**
 * gzipAround: a gzip member of head + middle + tail whose head and tail were compressed once. Each
 * result is checked by zlib's own gunzip, which verifies the deflate blocks, the CRC-32 and ISIZE.
 */
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipAround } from '../../gateway/src/gzip-around.ts';

/** JSON-like text that compresses well and repeats itself, as an answer does. */
const text = (n: number) =>
  Array.from({ length: n }, (_, i) => `{"code":"${String(i).padStart(4, '0')}","name":"Kommun ${i} å"}`).join(
    ',',
  );

describe('gzipAround', () => {
  it('wraps any middle into the gzip of the whole text, smaller than the text', async () => {
    const head = Buffer.from(`{"data":[${text(400)}],"extensions":{"requestId":`);
    const tail = Buffer.from(`,"note":"${text(3)}"}}`);
    const wrap = await gzipAround(head, tail);
    for (const id of ['"a"', '"0f9c-åäö"', '""', JSON.stringify('x'.repeat(200))]) {
      const middle = Buffer.from(id);
      const out = wrap(middle);
      expect(gunzipSync(out).equals(Buffer.concat([head, middle, tail]))).toBe(true);
      expect(out.length).toBeLessThan((head.length + tail.length) / 4);
    }
  });

  it('holds for an empty middle, head or tail, and for the largest middle a stored block takes', async () => {
    const some = Buffer.from(text(50));
    for (const [head, tail] of [
      [Buffer.alloc(0), some],
      [some, Buffer.alloc(0)],
      [Buffer.alloc(0), Buffer.alloc(0)],
    ] as const) {
      const wrap = await gzipAround(head, tail);
      for (const middle of [Buffer.alloc(0), Buffer.from('"id"'), randomBytes(0xffff)])
        expect(gunzipSync(wrap(middle)).equals(Buffer.concat([head, middle, tail]))).toBe(true);
    }
  });

  it('holds for parts that do not compress and parts over a deflate window (32 KiB)', async () => {
    const head = randomBytes(100_000);
    const tail = Buffer.concat([randomBytes(40_000), Buffer.from(text(2_000))]);
    const wrap = await gzipAround(head, tail, 1);
    const middle = Buffer.from('"x-1"');
    expect(gunzipSync(wrap(middle)).equals(Buffer.concat([head, middle, tail]))).toBe(true);
  });

  it('refuses a middle over 65 535 bytes, saying so', async () => {
    const wrap = await gzipAround(Buffer.from('a'), Buffer.from('b'));
    expect(() => wrap(Buffer.alloc(0x10000))).toThrow(/at most 65535 bytes, not 65536/);
  });

  it('counts what it keeps: both compressed parts and the tail', async () => {
    const head = Buffer.from(text(100));
    const tail = Buffer.from(text(10));
    const wrap = await gzipAround(head, tail);
    expect(wrap.bytes).toBeGreaterThan(tail.length);
    expect(wrap.bytes).toBeLessThan(tail.length + head.length / 2);
  });
});
