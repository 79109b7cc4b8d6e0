/** Test data for transfers. */
import { endianness } from "node:os";

/**
 * `size` bytes whose every 4-byte word holds its own offset, big-endian (a trailing partial word
 * stays zero): bytes that differ at every offset, so a misplaced part or range shows. Filled
 * through a Uint32Array and byte-swapped natively: the same bytes as `writeUInt32BE` per word, in a
 * tenth of the time (tests here make 100+ MiB of it).
 */
export function offsetPattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const words = new Uint32Array(bytes.buffer, 0, Math.floor(size / 4));
  for (let i = 0; i < words.length; i++) words[i] = i * 4;
  if (endianness() === "LE") Buffer.from(bytes.buffer, 0, words.byteLength).swap32();
  return bytes;
}
