/**
 * The layout of an Indonesian government letter on A4, drawn with pdf-lib's standard Helvetica (no
 * font files, nothing downloaded): the letterhead (logo, PEMERINTAH ..., the office, its address,
 * a double rule), centred titles, wrapped paragraphs, numbered lists, a colon-aligned field table, the
 * signature block on the right and a QR code. Pure: bytes in, bytes out.
 */
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import QRCode from 'qrcode';

export interface Letterhead {
  regencyName: string;
  officeName: string;
  address: string;
  phone?: string;
  website?: string;
  logoPng?: Uint8Array;
}

export interface SignatureBlock {
  place: string;
  /** Already in words: `25 Februari 2026`. */
  date: string;
  title: string;
  name: string;
  nip: string;
  /** A line above the signature space (e.g. the deemed-granted note). */
  note?: string;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = { left: 70, right: 60, top: 50, bottom: 50 };
const BLACK = rgb(0, 0, 0);

/**
 * Helvetica covers WinAnsi only: other characters are decomposed to their base letters where possible
 * (é -> e) and replaced by '?' otherwise, so an unusual name never makes issuing fail.
 */
function encodable(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  return [...text.replace(/[\t\r\n]+/g, ' ')]
    .map((ch) => {
      if (supported.has(ch.codePointAt(0) ?? 0)) return ch;
      const base = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      return [...base].every((c) => supported.has(c.codePointAt(0) ?? 0)) && base !== '' ? base : '?';
    })
    .join('');
}

export class Letter {
  private readonly page: PDFPage;
  private y: number;
  readonly width = A4[0] - MARGIN.left - MARGIN.right;

  private constructor(
    readonly doc: PDFDocument,
    private readonly regular: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.page = doc.addPage(A4);
    this.y = A4[1] - MARGIN.top;
  }

  static async create(meta: { title: string; subject: string; author: string; at: Date }): Promise<Letter> {
    const doc = await PDFDocument.create({ updateMetadata: false });
    // Fixed metadata (no "now"): the same inputs give the same bytes.
    doc.setTitle(meta.title);
    doc.setSubject(meta.subject);
    doc.setAuthor(meta.author);
    doc.setCreator('satupintu');
    doc.setProducer('satupintu (pdf-lib)');
    doc.setLanguage('id-ID');
    doc.setCreationDate(meta.at);
    doc.setModificationDate(meta.at);
    const regular = await doc.embedFont(StandardFonts.Helvetica);
    const bold = await doc.embedFont(StandardFonts.HelveticaBold);
    return new Letter(doc, regular, bold);
  }

  private font(bold?: boolean): PDFFont {
    return bold ? this.bold : this.regular;
  }

  private text(text: string, x: number, size: number, bold?: boolean): void {
    this.page.drawText(encodable(this.font(bold), text), {
      x,
      y: this.y,
      size,
      font: this.font(bold),
      color: BLACK,
    });
  }

  textWidth(text: string, size: number, bold?: boolean): number {
    return this.font(bold).widthOfTextAtSize(encodable(this.font(bold), text), size);
  }

  /** Greedy word wrap to `width`. */
  wrap(text: string, size: number, width: number, bold?: boolean): string[] {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/).filter((w) => w !== '')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (line !== '' && this.textWidth(candidate, size, bold) > width) {
        lines.push(line);
        line = word;
      } else line = candidate;
    }
    if (line !== '') lines.push(line);
    return lines;
  }

  space(points: number): void {
    this.y -= points;
  }

  async letterhead(head: Letterhead): Promise<void> {
    const top = this.y;
    let textLeft = MARGIN.left;
    let textWidth = this.width;
    if (head.logoPng !== undefined) {
      const logo = await this.doc.embedPng(head.logoPng);
      const scaled = logo.scaleToFit(62, 72);
      this.page.drawImage(logo, { x: MARGIN.left, y: top - scaled.height + 8, ...scaled });
      textLeft = MARGIN.left + 72;
      textWidth = this.width - 72;
    }
    const centre = textLeft + textWidth / 2;
    const centred = (text: string, size: number, bold?: boolean) => {
      for (const line of this.wrap(text, size, textWidth, bold)) {
        this.text(line, centre - this.textWidth(line, size, bold) / 2, size, bold);
        this.y -= size + 3;
      }
    };
    centred(`PEMERINTAH ${head.regencyName.toUpperCase()}`, 13, true);
    centred(head.officeName.toUpperCase(), 11.5, true);
    centred(head.address, 8.5);
    const contact = [head.phone && `Telepon ${head.phone}`, head.website && `Laman ${head.website}`]
      .filter(Boolean)
      .join(' | ');
    if (contact !== '') centred(contact, 8.5);
    this.y = Math.min(this.y, top - 72);
    const x1 = MARGIN.left;
    const x2 = A4[0] - MARGIN.right;
    this.page.drawLine({ start: { x: x1, y: this.y }, end: { x: x2, y: this.y }, thickness: 2.2 });
    this.page.drawLine({ start: { x: x1, y: this.y - 3 }, end: { x: x2, y: this.y - 3 }, thickness: 0.6 });
    this.y -= 24;
  }

  centred(text: string, size: number, options: { bold?: boolean; underline?: boolean } = {}): void {
    for (const line of this.wrap(text, size, this.width, options.bold)) {
      const w = this.textWidth(line, size, options.bold);
      const x = MARGIN.left + (this.width - w) / 2;
      this.text(line, x, size, options.bold);
      if (options.underline)
        this.page.drawLine({ start: { x, y: this.y - 2 }, end: { x: x + w, y: this.y - 2 }, thickness: 0.7 });
      this.y -= size + 4;
    }
  }

  paragraph(text: string, size = 10.5, options: { indent?: number; bold?: boolean } = {}): void {
    const indent = options.indent ?? 0;
    for (const line of this.wrap(text, size, this.width - indent, options.bold)) {
      this.text(line, MARGIN.left + indent, size, options.bold);
      this.y -= size + 4;
    }
  }

  /** `1. ...` items with a hanging indent. */
  numbered(items: readonly string[], size = 10, indent = 14): void {
    items.forEach((item, i) => {
      const marker = `${i + 1}.`;
      const lines = this.wrap(item, size, this.width - indent - 16);
      lines.forEach((line, j) => {
        if (j === 0) this.text(marker, MARGIN.left + indent, size);
        this.text(line, MARGIN.left + indent + 16, size);
        this.y -= size + 3.5;
      });
    });
  }

  /** Label : value rows, the colons aligned, values wrapped. */
  fields(rows: ReadonlyArray<readonly [string, string]>, size = 10.5, indent = 14): void {
    const labelWidth = Math.max(...rows.map(([label]) => this.textWidth(label, size))) + 8;
    const valueX = MARGIN.left + indent + labelWidth + 10;
    for (const [label, value] of rows) {
      this.text(label, MARGIN.left + indent, size);
      this.text(':', MARGIN.left + indent + labelWidth, size);
      const lines = this.wrap(value, size, A4[0] - MARGIN.right - valueX, true);
      lines.forEach((line, j) => {
        if (j > 0) this.y -= size + 3;
        this.text(line, valueX, size, true);
      });
      this.y -= size + 6;
    }
  }

  /** The signature block on the right half, and the QR code (with a caption) on the left at its height. */
  signature(block: SignatureBlock, qr?: { text: string; caption: string[] }): void {
    const size = 10.5;
    const x = MARGIN.left + this.width * 0.5;
    const blockWidth = this.width * 0.5;
    const top = this.y;
    const line = (text: string, bold?: boolean) => {
      for (const l of this.wrap(text, size, blockWidth, bold)) {
        this.text(l, x, size, bold);
        this.y -= size + 3.5;
      }
    };
    line(`Ditetapkan di ${block.place}`);
    line(`pada tanggal ${block.date}`);
    this.y -= 4;
    line(block.title.toUpperCase(), true);
    if (block.note !== undefined) line(block.note);
    this.y -= 46;
    const nameWidth = this.textWidth(block.name.toUpperCase(), size, true);
    this.text(block.name.toUpperCase(), x, size, true);
    this.page.drawLine({
      start: { x, y: this.y - 2 },
      end: { x: x + Math.min(nameWidth, blockWidth), y: this.y - 2 },
      thickness: 0.7,
    });
    this.y -= size + 3.5;
    line(`NIP ${block.nip}`);
    const bottom = this.y;
    if (qr !== undefined) {
      const side = 150;
      this.drawQr(qr.text, MARGIN.left - 8, top - side + 12, side);
      this.y = top - side;
      for (const captionLine of qr.caption) {
        for (const l of this.wrap(captionLine, 7, this.width * 0.46)) {
          this.text(l, MARGIN.left, 7);
          this.y -= 9;
        }
      }
      this.y = Math.min(this.y, bottom);
    }
  }

  /** A QR code as vector modules (crisp at any zoom and print size), error correction M. */
  private drawQr(text: string, x: number, y: number, side: number): void {
    const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
    // The standard's quiet zone (4 modules): scanners need it to find the symbol.
    const quiet = 4;
    const cell = side / (modules.size + quiet * 2);
    for (let row = 0; row < modules.size; row++)
      for (let col = 0; col < modules.size; col++)
        if (modules.get(row, col))
          this.page.drawRectangle({
            x: x + (col + quiet) * cell,
            y: y + side - (row + quiet + 1) * cell,
            width: cell,
            height: cell,
            color: BLACK,
          });
  }

  /** Small print at the foot of the page. */
  footer(lines: readonly string[]): void {
    let y = MARGIN.bottom - 8;
    for (const text of [...lines].reverse()) {
      for (const l of this.wrap(text, 7, this.width).reverse()) {
        this.page.drawText(encodable(this.regular, l), {
          x: MARGIN.left,
          y,
          size: 7,
          font: this.regular,
          color: BLACK,
        });
        y += 9;
      }
    }
  }

  /** How far the content has come down the page (tests check nothing runs off it). */
  get cursor(): number {
    return this.y;
  }

  save(): Promise<Uint8Array> {
    return this.doc.save({ useObjectStreams: false });
  }
}
