/**
 * The demo's documents, generated in code so the repository needs no binary fixtures: a real one-page
 * PDF (the product's own minimal writer), a baseline JPEG and a PNG that any viewer opens, and the one
 * deliberately bad file, a Windows executable that a careless or malicious applicant renamed `.pdf`.
 */
import { deflateSync, crc32 as zlibCrc32 } from 'node:zlib';
import type { MEDIA_TYPES } from '#config/regency-schema.ts';
import { minimalPdf } from '#core/domain/minimal-pdf.ts';

export type MediaType = (typeof MEDIA_TYPES)[number];

export interface DemoFile {
  fileName: string;
  mediaType: MediaType;
  content: Buffer;
}

/** Brightness (0 black .. 255 white) of the 8x8 block at column `bx`, row `by`. */
export type BlockPainter = (bx: number, by: number) => number;

// ---------------------------------------------------------------- JPEG (baseline, greyscale, DC only)

/** ITU-T T.81 Annex K.3, table K.3: the typical luminance DC table (categories 0-11). */
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/** Every block is flat, so the only AC symbol ever written is end-of-block (0x00): one 1-bit code. */
const AC_BITS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_VALUES = [0x00];
/** With a DC quantiser of 8 a flat block's quantised DC is its brightness minus 128 (T.81 A.3.3). */
const QUANTISER = 8;

/** Canonical Huffman codes from a BITS/HUFFVAL pair (T.81 Annex C). */
function huffmanCodes(bits: readonly number[], values: readonly number[]): Map<number, [number, number]> {
  const codes = new Map<number, [number, number]>();
  let code = 0;
  let k = 0;
  bits.forEach((count, i) => {
    for (let j = 0; j < count; j++) codes.set(values[k++] ?? 0, [code++, i + 1]);
    code <<= 1;
  });
  return codes;
}

class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.current = (this.current << 1) | ((value >> i) & 1);
      if (++this.used === 8) this.flushByte();
    }
  }

  /** Pads the last byte with 1-bits, as T.81 F.1.2.3 requires. */
  finish(): number[] {
    if (this.used > 0) this.write(0xff, 8 - this.used);
    return this.bytes;
  }

  private flushByte(): void {
    this.bytes.push(this.current);
    // A 0xFF in entropy-coded data would read as a marker: stuff a zero byte after it.
    if (this.current === 0xff) this.bytes.push(0x00);
    this.current = 0;
    this.used = 0;
  }
}

const segment = (marker: number, body: readonly number[]): number[] => [
  0xff,
  marker,
  ((body.length + 2) >> 8) & 0xff,
  (body.length + 2) & 0xff,
  ...body,
];

/**
 * A baseline JPEG (SOF0, one greyscale component, Huffman coded) of `blocksWide` x `blocksHigh` flat
 * 8x8 blocks. Writing only DC coefficients keeps the encoder a few lines long while the result is an
 * ordinary JFIF file.
 */
export function baselineJpeg(blocksWide: number, blocksHigh: number, paint: BlockPainter): Buffer {
  const width = blocksWide * 8;
  const height = blocksHigh * 8;
  const dc = huffmanCodes(DC_BITS, DC_VALUES);
  const ac = huffmanCodes(AC_BITS, AC_VALUES);
  const bits = new BitWriter();
  let previous = 0;
  for (let by = 0; by < blocksHigh; by++) {
    for (let bx = 0; bx < blocksWide; bx++) {
      const level = Math.max(0, Math.min(255, Math.round(paint(bx, by))));
      const value = Math.round(((level - 128) * 8) / QUANTISER);
      const diff = value - previous;
      previous = value;
      const category = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
      const [code, length] = dc.get(category) ?? [0, 0];
      bits.write(code, length);
      if (category > 0) bits.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
      const [eob, eobLength] = ac.get(0x00) ?? [0, 0];
      bits.write(eob, eobLength);
    }
  }
  return Buffer.from([
    0xff,
    0xd8, // SOI
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // JFIF 1.01
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(QUANTISER)]),
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...segment(0xc4, [0x00, ...DC_BITS, ...DC_VALUES, 0x10, ...AC_BITS, ...AC_VALUES]),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...bits.finish(),
    0xff,
    0xd9, // EOI
  ]);
}

// ---------------------------------------------------------------- PNG (greyscale, 8 bits)

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlibCrc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}

/** The same picture as a PNG, for a requirement that accepts PNG but neither PDF nor JPEG. */
export function greyscalePng(blocksWide: number, blocksHigh: number, paint: BlockPainter): Buffer {
  const width = blocksWide * 8;
  const height = blocksHigh * 8;
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(width + 1); // filter byte 0 (None), then the pixels
    for (let x = 0; x < width; x++)
      row[x + 1] = Math.max(0, Math.min(255, Math.round(paint(x >> 3, y >> 3))));
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------- pictures

/** A passport-style photo (pas foto, 3:4): head and shoulders against a light background. */
export const passportPhoto: BlockPainter = (bx, by) => {
  const head = ((bx - 5.5) / 3) ** 2 + ((by - 6) / 4) ** 2 <= 1;
  const hair = head && by < 5;
  const shoulders = by >= 11 && Math.abs(bx - 5.5) <= 2 + (by - 11) * 1.5;
  if (hair) return 40;
  if (head) return 170;
  if (shoulders) return 60;
  return 215;
};

/** A phone photo of an identity card: a light card with a photo on the left and lines of text. */
export const cardPhoto: BlockPainter = (bx, by) => {
  const card = bx >= 1 && bx <= 18 && by >= 1 && by <= 11;
  if (!card) return 90;
  if (bx >= 2 && bx <= 5 && by >= 4 && by <= 9) return 120;
  if (bx >= 7 && bx <= 17 && by >= 3 && by <= 10 && by % 2 === 1) return 140 + ((bx * 7) % 30);
  return 230;
};

// ---------------------------------------------------------------- files for requirements

export const safeFileName = (text: string): string =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** A scanned-looking letter: one page with a title and the lines given. */
export function pdfDocument(baseName: string, title: string, lines: readonly string[]): DemoFile {
  return {
    fileName: `${safeFileName(baseName)}.pdf`,
    mediaType: 'application/pdf',
    content: Buffer.from(minimalPdf(title, lines)),
  };
}

export function imageDocument(
  baseName: string,
  mediaType: 'image/jpeg' | 'image/png',
  photo: boolean,
): DemoFile {
  const [paint, wide, high] = photo ? [passportPhoto, 12, 16] : [cardPhoto, 20, 13];
  return mediaType === 'image/jpeg'
    ? { fileName: `${safeFileName(baseName)}.jpg`, mediaType, content: baselineJpeg(wide, high, paint) }
    : { fileName: `${safeFileName(baseName)}.png`, mediaType, content: greyscalePng(wide, high, paint) };
}

/**
 * The start of a Windows program (an MZ header whose `e_lfanew` points at a PE signature, with the
 * usual DOS stub message): what an executable renamed `.pdf` looks like to a server that reads it.
 */
export function windowsExecutable(): Buffer {
  const file = Buffer.alloc(256);
  file.write('MZ', 0, 'latin1');
  file.writeUInt16LE(0x0090, 2); // bytes on the last page
  file.writeUInt16LE(0x0003, 4); // pages
  file.writeUInt32LE(0x80, 0x3c); // e_lfanew: offset of the PE header
  file.write('This program cannot be run in DOS mode.\r\r\n$', 0x4e, 'latin1');
  file.write('PE\0\0', 0x80, 'latin1');
  file.writeUInt16LE(0x8664, 0x84); // machine: x86-64
  return file;
}
