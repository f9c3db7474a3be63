/**
 * Lines of text on a PDF page in any of the console's languages, Arabic included.
 *
 * PDFKit draws a string as one left-to-right run of glyphs. What it gets from fontkit is shaping:
 * a run in Arabic script is laid out with the font's OpenType tables (joining forms, ligatures)
 * and its glyphs put in visual order. What it lacks is the Unicode bidirectional algorithm: a line
 * mixing Arabic with Latin names, digits or punctuation must be cut into runs of one direction and
 * those runs drawn in visual order. bidi-js resolves the levels and the order; each run is then
 * drawn by PDFKit with the font that has its glyphs (the Noto fonts come split by script).
 *
 * A line drawn out of logical order would be copied or extracted backwards, so every line holding
 * right-to-left text is marked with its logical text (`ActualText`, PDF 32000 14.9.4), which text
 * extraction (poppler's pdftotext, screen readers) reads instead of the glyphs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import bidiFactory from 'bidi-js';
import * as fontkit from 'fontkit';
import type PDFDocument from 'pdfkit';
import { PROJECT_ROOT } from '../system/paths';

type Doc = InstanceType<typeof PDFDocument>;
export type Direction = 'ltr' | 'rtl';
export type Weight = 'regular' | 'bold';

const bidi = bidiFactory();
const FONTS = join(PROJECT_ROOT, 'node_modules', '@fontsource');

/** The font files, in the order a character looks for its glyph (Arabic letters go to Naskh first). */
const FACES: Record<Weight, { name: string; file: string }[]> = {
  regular: [
    { name: 'sans-latin', file: 'noto-sans/files/noto-sans-latin-400-normal.woff' },
    { name: 'sans-latin-ext', file: 'noto-sans/files/noto-sans-latin-ext-400-normal.woff' },
    { name: 'sans-greek', file: 'noto-sans/files/noto-sans-greek-400-normal.woff' },
    { name: 'sans-cyrillic', file: 'noto-sans/files/noto-sans-cyrillic-400-normal.woff' },
    { name: 'naskh-arabic', file: 'noto-naskh-arabic/files/noto-naskh-arabic-arabic-400-normal.woff' },
  ],
  bold: [
    { name: 'sans-latin-bold', file: 'noto-sans/files/noto-sans-latin-700-normal.woff' },
    { name: 'sans-latin-ext-bold', file: 'noto-sans/files/noto-sans-latin-ext-700-normal.woff' },
    { name: 'sans-greek-bold', file: 'noto-sans/files/noto-sans-greek-700-normal.woff' },
    { name: 'sans-cyrillic-bold', file: 'noto-sans/files/noto-sans-cyrillic-700-normal.woff' },
    { name: 'naskh-arabic-bold', file: 'noto-naskh-arabic/files/noto-naskh-arabic-arabic-700-normal.woff' },
  ],
};

interface Face {
  name: string;
  bytes: Buffer;
  has: (codePoint: number) => boolean;
}
let loaded: Record<Weight, Face[]> | undefined;
/** Read once per process: the same files serve every extract. */
function faces(): Record<Weight, Face[]> {
  if (loaded) return loaded;
  const load = (f: { name: string; file: string }): Face => {
    const bytes = readFileSync(join(FONTS, f.file));
    const font = fontkit.create(bytes) as fontkit.Font;
    return { name: f.name, bytes, has: (cp) => font.hasGlyphForCodePoint(cp) };
  };
  loaded = { regular: FACES.regular.map(load), bold: FACES.bold.map(load) };
  return loaded;
}

/** What PDFKit keeps of an embedded font (not in its typings): the glyphs used and each one's text. */
interface EmbeddedFont {
  font: { _glyphs: Record<number, unknown>; getGlyph(id: number, codePoints?: number[]): unknown };
  layoutRun(
    text: string,
    features?: unknown,
  ): { glyphs: { id: number; codePoints: number[]; advanceWidth: number }[]; positions: unknown[]; direction: string };
  encode(text: string, features?: unknown): [string[], unknown[]];
  subset: { glyphs: number[]; includeGlyph(id: number): number };
  widths: number[];
  unicode: number[][];
  scale: number;
}

/**
 * Noto's Arabic fonts draw a dotted letter as its dotless skeleton plus a glyph of dots: ش is the
 * glyph of س with three dots, ت that of ب with two. PDFKit gives each glyph the text of the first
 * letter it was first drawn for (fontkit keeps one glyph object per id, made with the letters of its
 * first use), so text extraction would read every ش after a س as س. Here fontkit keeps a glyph
 * object per glyph and letters, so each glyph of a run carries the letters it stands for there, and
 * a glyph is embedded once per letter it stands for, each copy with its own text.
 */
function oneGlyphPerLetter(font: EmbeddedFont): void {
  const ids = new Map<string, number>();
  const used = new Set<number>();
  const getGlyph = font.font.getGlyph.bind(font.font);
  const glyphs = new Map<string, unknown>();
  font.font.getGlyph = (id, codePoints = []) => {
    const key = `${id}:${codePoints.join(',')}`;
    let glyph = glyphs.get(key);
    if (!glyph) {
      delete font.font._glyphs[id];
      glyph = getGlyph(id, codePoints);
      glyphs.set(key, glyph);
    }
    return glyph;
  };
  font.encode = function (text, features) {
    const run = this.layoutRun(text, features);
    const letters = withMarksOnTheirBase(
      run.glyphs.map((g) => g.codePoints),
      run.direction === 'rtl',
    );
    const encoded = run.glyphs.map((glyph, i) => {
      const codePoints = letters[i];
      const key = `${glyph.id}:${codePoints.join(',')}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = used.has(glyph.id) ? this.subset.glyphs.push(glyph.id) - 1 : this.subset.includeGlyph(glyph.id);
        used.add(glyph.id);
        ids.set(key, id);
        this.widths[id] = glyph.advanceWidth * this.scale;
        this.unicode[id] = codePoints;
      }
      return id.toString(16).padStart(4, '0');
    });
    return [encoded, run.positions];
  };
}

const MARK = /^\p{Mn}+$/u;
/**
 * A vowel sign or a shadda (ُ ّ) is a glyph of its own, drawn over its letter, and text extraction
 * reads glyphs by position: it would put the sign before its letter, or on a line of its own. In a
 * left-to-right run its text goes with its letter's glyph. In a right-to-left run pdftotext (and
 * pdf.js) reverse the characters of a glyph's text along with the glyphs, which would put the sign
 * before its letter all the same; there the sign is drawn but not extracted. Arabic is written and
 * searched without these signs, so the extracted text stays true to what was typed, letter by letter.
 */
function withMarksOnTheirBase(texts: number[][], rtl: boolean): number[][] {
  const out = texts.map((t) => [...t]);
  const isMark = (t: number[]) => t.length > 0 && MARK.test(String.fromCodePoint(...t));
  let base = -1;
  out.forEach((t, i) => {
    if (!isMark(t)) {
      if (t.length) base = i;
      return;
    }
    if (!rtl && base >= 0) out[base].push(...t);
    out[i] = [];
  });
  return out;
}

/** Registers the fonts with a document; PDFKit embeds only the glyphs used. */
export function registerFonts(doc: Doc): void {
  for (const face of [...faces().regular, ...faces().bold]) {
    doc.registerFont(face.name, face.bytes);
    oneGlyphPerLetter((doc.font(face.name) as unknown as { _font: EmbeddedFont })._font);
  }
}

const ARABIC = /[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]/;
/** Directional marks and isolates steer the algorithm but have no glyph. */
const BIDI_CONTROL = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function faceFor(ch: string, weight: Weight, previous: Face | undefined): Face {
  const chain = faces()[weight];
  const cp = ch.codePointAt(0)!;
  if (ARABIC.test(ch)) return chain.find((f) => f.name.startsWith('naskh-arabic'))!;
  // Spaces, digits and punctuation stay in the face of what precedes them when it has them.
  if (previous?.has(cp)) return previous;
  return chain.find((f) => f.has(cp)) ?? chain[0];
}

interface Run {
  face: Face;
  text: string;
}

/** A line's runs in visual order, left to right, each ready to be drawn by PDFKit as it is. */
function visualRuns(line: string, base: Direction | 'auto', weight: Weight): Run[] {
  const chars = Array.from(line);
  // bidi-js counts UTF-16 units; map each character to its first unit.
  const units: number[] = [];
  let u = 0;
  for (const c of chars) {
    units.push(u);
    u += c.length;
  }
  const levels = bidi.getEmbeddingLevels(line, base === 'auto' ? undefined : base);
  const order = chars.map((_, i) => i);
  for (const [start, end] of bidi.getReorderSegments(line, levels)) {
    const from = units.indexOf(start);
    let to = from;
    while (to + 1 < units.length && units[to + 1] <= end) to++;
    if (from < 0 || to < from) continue;
    order.splice(from, to - from + 1, ...order.slice(from, to + 1).reverse());
  }
  const level = (i: number) => levels.levels[units[i]];
  const groups: { face: Face; level: number; space: boolean; indices: number[] }[] = [];
  let previous: Face | undefined;
  for (const i of order) {
    if (BIDI_CONTROL.test(chars[i])) continue;
    const face = faceFor(chars[i], weight, previous);
    previous = face;
    const last = groups.at(-1);
    // PDFKit lays a string out word by word in logical order, so a right-to-left run must reach it
    // one word at a time: runs are cut at spaces.
    const space = /\s/.test(chars[i]);
    if (last && last.face === face && last.level === level(i) && last.space === space) last.indices.push(i);
    else groups.push({ face, level: level(i), space, indices: [i] });
  }
  const runs = groups.map(({ face, level: l, indices }) => {
    if (l % 2 === 0) return { face, text: indices.map((i) => chars[i]).join('') };
    const logical = [...indices].reverse().map((i) => chars[i]);
    // fontkit puts an Arabic-script run in visual order itself; any other right-to-left run
    // (punctuation, spaces between Arabic words) is drawn as bidi ordered it, mirrored.
    if (logical.some((c) => ARABIC.test(c))) return { face, text: logical.join('') };
    return { face, text: indices.map((i) => bidi.getMirroredCharacter(chars[i]) ?? chars[i]).join('') };
  });
  return runs;
}

export interface TextStyle {
  size: number;
  weight?: Weight;
  color?: string;
}

/** Writes lines of text where it is told, keeping the document's direction. */
export class Typesetter {
  constructor(
    readonly doc: Doc,
    readonly dir: Direction,
  ) {}

  private readonly widths = new Map<string, number>();

  /**
   * How wide `text` is drawn: the sum of its words' and spaces' widths (shaping never joins across
   * a space, and PDFKit lays text out word by word), each measured once: wrapping measures every
   * line it tries.
   */
  width(text: string, style: TextStyle): number {
    let total = 0;
    for (const token of text.split(/( +)/)) {
      if (!token) continue;
      const key = `${style.weight ?? 'regular'}:${style.size}:${token}`;
      let w = this.widths.get(key);
      if (w === undefined) {
        w = visualRuns(token, 'auto', style.weight ?? 'regular').reduce(
          (sum, r) => sum + this.doc.font(r.face.name).fontSize(style.size).widthOfString(r.text),
          0,
        );
        this.widths.set(key, w);
      }
      total += w;
    }
    return total;
  }

  /** `text` cut into lines no wider than `width`, at spaces where it can be (an IBAN is not cut mid-number unless it must). */
  wrap(text: string, width: number, style: TextStyle): string[] {
    const lines: string[] = [];
    for (const paragraph of text.split(/\r?\n/)) {
      let line = '';
      for (const word of paragraph.split(/ +/)) {
        const candidate = line ? `${line} ${word}` : word;
        if (this.width(candidate, style) <= width) {
          line = candidate;
          continue;
        }
        if (line) lines.push(line);
        line = word;
        while (this.width(line, style) > width && Array.from(line).length > 1) {
          const chars = Array.from(line);
          let n = chars.length - 1;
          while (n > 1 && this.width(chars.slice(0, n).join(''), style) > width) n--;
          lines.push(chars.slice(0, n).join(''));
          line = chars.slice(n).join('');
        }
      }
      lines.push(line);
    }
    return lines;
  }

  /**
   * One line within [x, x + width], at the start of the document's direction (right in Arabic);
   * `base`: the line's own direction, `auto` for free text (its first strong letter decides, as
   * `dir="auto"` does in the console).
   */
  line(text: string, x: number, y: number, width: number, style: TextStyle, base: Direction | 'auto' = this.dir): void {
    const runs = visualRuns(text, base, style.weight ?? 'regular');
    const widths = runs.map((r) => this.doc.font(r.face.name).fontSize(style.size).widthOfString(r.text));
    const total = widths.reduce((a, b) => a + b, 0);
    let at = this.dir === 'rtl' ? x + width - total : x;
    this.doc.fillColor(style.color ?? '#000000');
    runs.forEach((r, i) => {
      this.doc.font(r.face.name).fontSize(style.size).text(r.text, at, y, { lineBreak: false });
      at += widths[i];
    });
  }
}
