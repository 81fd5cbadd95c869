/**
 * A gzip body for a text that changes in one short place per request: a replayed response-cache hit,
 * whose only per-request part is its request id. The parts before and after it are compressed once
 * (off the main thread); each request then costs a few byte copies and a CRC-32 of the short tail
 * instead of compressing the whole body again (compressing 16 kB cost more than the whole replay).
 *
 * Why by hand: zlib (and so Node and every compression library over it) compresses a whole stream,
 * and no maintained package splices deflate streams. The format makes it safe (RFC 1951, RFC 1952):
 * a deflate stream is a sequence of blocks, each free to be compressed or stored. The head is
 * compressed with a sync flush (its blocks end on a byte boundary and none is final), the middle is
 * one stored block, and the tail is a deflate stream of its own whose last block is final. A block
 * of the tail can only refer back into the tail (its compressor started empty), so it decodes the
 * same after anything. The gzip trailer's CRC-32 continues from the head's (zlib.crc32's second
 * argument).
 */
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw } from 'node:zlib';

const deflate = promisify(deflateRaw);

/** RFC 1952's member header: magic, deflate, no flags, no time, no extra flags, "Unix" (as zlib writes). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
/** A stored block holds at most this many bytes (its length field has 16 bits). */
const MAX_STORED = 0xffff;

export interface GzipAround {
  /** The gzip member of `head + middle + tail`. Throws for a middle over 65 535 bytes. */
  (middle: Buffer): Buffer;
  /** Bytes it keeps: the compressed head and tail and the tail itself (for its CRC-32). */
  bytes: number;
}

/**
 * Compresses `head` and `tail` once, at `level` (zlib's; default 9: this runs once per kept body, on
 * zlib's thread pool), and returns the function that wraps a middle between them.
 */
export async function gzipAround(
  head: Buffer,
  tail: Buffer,
  level = constants.Z_BEST_COMPRESSION,
): Promise<GzipAround> {
  const [deflatedHead, deflatedTail] = await Promise.all([
    deflate(head, { level, finishFlush: constants.Z_SYNC_FLUSH }),
    deflate(tail, { level }),
  ]);
  const headCrc = crc32(head);
  const fixed = head.length + tail.length;
  const wrap = ((middle: Buffer): Buffer => {
    if (middle.length > MAX_STORED)
      throw new RangeError(`a middle of at most ${MAX_STORED} bytes, not ${middle.length}`);
    const out = Buffer.allocUnsafe(
      GZIP_HEADER.length + deflatedHead.length + 5 + middle.length + deflatedTail.length + 8,
    );
    let at = GZIP_HEADER.copy(out, 0);
    at += deflatedHead.copy(out, at);
    // A stored block, not final: BFINAL 0 and BTYPE 00 in the low bits of a byte whose other bits
    // pad to the byte boundary, then LEN and its one's complement NLEN, little-endian.
    out[at++] = 0x00;
    at = out.writeUInt16LE(middle.length, at);
    at = out.writeUInt16LE(~middle.length & 0xffff, at);
    at += middle.copy(out, at);
    at += deflatedTail.copy(out, at);
    at = out.writeUInt32LE(crc32(tail, crc32(middle, headCrc)), at);
    // ISIZE: the uncompressed length modulo 2^32.
    out.writeUInt32LE((fixed + middle.length) % 2 ** 32, at);
    return out;
  }) as GzipAround;
  wrap.bytes = deflatedHead.length + deflatedTail.length + tail.length;
  return wrap;
}
