/**
 * Reading generated PDFs as a person would: the text poppler's pdftotext extracts, and page 1 rendered
 * by pdftoppm with the QR code on it decoded by jsQR. Poppler comes from Debian's poppler-utils (.ci/run
 * installs it).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

/** The PDF's text, whitespace collapsed to single spaces (line breaks of wrapped text vanish). */
export function pdfText(pdf: Uint8Array): string {
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: Buffer.from(pdf) }).toString(
    'utf8',
  );
  return text.replace(/\s+/g, ' ').trim();
}

/** Renders page 1 to PNG (200 dpi); with `keepAs`, also writes it to test-artifacts/<keepAs>.png. */
export function renderPage1(pdf: Uint8Array, keepAs?: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'satupintu-pdf-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    execFileSync('pdftoppm', [
      '-r',
      '150',
      '-png',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      file,
      join(dir, 'page'),
    ]);
    const png = readFileSync(join(dir, 'page.png'));
    if (keepAs !== undefined) {
      const artifacts = join(import.meta.dirname, '..', '..', 'test-artifacts');
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, `${keepAs}.png`), png);
      writeFileSync(join(artifacts, `${keepAs}.pdf`), pdf);
    }
    return png;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// jsqr is CommonJS compiled from `export default`: under Node's ESM its function is `.default` of the module.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = (jsQRModule as unknown as { default: Decode }).default;

/** The text of the QR code on a rendered page, or undefined when none is found. */
export function decodeQr(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}
