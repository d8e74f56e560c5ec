import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3, as zlib) of the text's UTF-8 bytes: Node's own (zlib.crc32, Node
 * ≥ 20.15), which computes the same checksum the hand-written table did, so keys
 * issued before keep verifying (test/unit/key-format.test.ts pins both).
 */
export function crc32(text: string): number {
  return zlibCrc32(text);
}
