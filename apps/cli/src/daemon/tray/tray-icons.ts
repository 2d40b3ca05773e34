import { crc32, deflateSync } from 'node:zlib';

/** What the icon says at a glance; `idle` is the daemon starting, or nothing configured yet. */
export type TrayIconName = 'in-sync' | 'drift' | 'error' | 'paused' | 'idle';

/** PNG for Linux and macOS; ICO for Windows, whose tray binary loads icons with LoadImage. */
export type TrayIconFormat = 'png' | 'ico';

type Rgb = readonly [number, number, number];
type Point = readonly [number, number];

/** A round-capped stroke through the points, `width` pixels thick; one point makes a dot. */
interface Stroke {
  readonly points: readonly Point[];
  readonly width: number;
}

interface IconLook {
  readonly disc: Rgb;
  readonly mark: Rgb;
  readonly strokes: readonly Stroke[];
}

/** Tray icons are shown at 16–24 px; 32 px scales down cleanly on every platform. */
const SIZE = 32;
/** Supersampling per axis, for anti-aliased edges. */
const SAMPLES = 4;
const CENTRE = SIZE / 2;
const DISC_RADIUS = 15;
const WHITE: Rgb = [255, 255, 255];

/** A coloured disc with a glyph, so the state reads by shape as well as colour (colour-blind users, monochrome panels). */
const LOOKS: Readonly<Record<TrayIconName, IconLook>> = {
  'in-sync': { disc: [46, 158, 68], mark: WHITE, strokes: [{ points: [[9, 16.5], [14, 21.5], [23, 11]], width: 3.4 }] },
  drift: {
    disc: [232, 163, 0],
    // Dark on amber: white on amber is too faint to read at 16 px.
    mark: [32, 32, 32],
    strokes: [
      { points: [[16, 8], [16, 17]], width: 4.2 },
      { points: [[16, 23.5]], width: 4.4 },
    ],
  },
  error: {
    disc: [217, 48, 37],
    mark: WHITE,
    strokes: [
      { points: [[10.5, 10.5], [21.5, 21.5]], width: 3.4 },
      { points: [[21.5, 10.5], [10.5, 21.5]], width: 3.4 },
    ],
  },
  paused: {
    disc: [110, 110, 110],
    mark: WHITE,
    strokes: [
      { points: [[12.5, 10], [12.5, 22]], width: 3.6 },
      { points: [[19.5, 10], [19.5, 22]], width: 3.6 },
    ],
  },
  idle: {
    disc: [150, 155, 160],
    mark: WHITE,
    strokes: [{ points: [[10, 16]], width: 3.6 }, { points: [[16, 16]], width: 3.6 }, { points: [[22, 16]], width: 3.6 }],
  },
};

/** The icon's bytes in the given format; pure, so callers may cache them. */
export function renderTrayIcon(name: TrayIconName, format: TrayIconFormat): Buffer {
  const pixels = drawIcon(LOOKS[name]);
  return format === 'png' ? encodePng(pixels) : encodeIco(pixels);
}

/** Straight (not premultiplied) RGBA, rows top to bottom. */
function drawIcon(look: IconLook): Uint8Array {
  const pixels = new Uint8Array(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y += 1) {
    for (let x = 0; x < SIZE; x += 1) {
      let red = 0;
      let green = 0;
      let blue = 0;
      let covered = 0;
      for (let sy = 0; sy < SAMPLES; sy += 1) {
        for (let sx = 0; sx < SAMPLES; sx += 1) {
          const point: Point = [x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES];
          const colour = look.strokes.some((stroke) => onStroke(point, stroke))
            ? look.mark
            : Math.hypot(point[0] - CENTRE, point[1] - CENTRE) <= DISC_RADIUS
              ? look.disc
              : undefined;
          if (colour === undefined) continue;
          red += colour[0];
          green += colour[1];
          blue += colour[2];
          covered += 1;
        }
      }
      const at = (y * SIZE + x) * 4;
      if (covered === 0) continue;
      pixels[at] = Math.round(red / covered);
      pixels[at + 1] = Math.round(green / covered);
      pixels[at + 2] = Math.round(blue / covered);
      pixels[at + 3] = Math.round((covered / (SAMPLES * SAMPLES)) * 255);
    }
  }
  return pixels;
}

function onStroke(point: Point, stroke: Stroke): boolean {
  const [first] = stroke.points;
  if (first === undefined) return false;
  const reach = stroke.width / 2;
  if (stroke.points.length === 1) return Math.hypot(point[0] - first[0], point[1] - first[1]) <= reach;
  return stroke.points.slice(1).some((end, index) => distanceToSegment(point, stroke.points[index] ?? end, end) <= reach);
}

function distanceToSegment(point: Point, from: Point, to: Point): number {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const along = Math.max(0, Math.min(1, ((point[0] - from[0]) * dx + (point[1] - from[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(point[0] - (from[0] + along * dx), point[1] - (from[1] + along * dy));
}

function encodePng(pixels: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  // 8 bits per channel, colour type 6 (RGBA), default compression, filter and no interlace.
  header.set([8, 6, 0, 0, 0], 8);
  const rowBytes = SIZE * 4;
  const filtered = Buffer.alloc((rowBytes + 1) * SIZE);
  for (let y = 0; y < SIZE; y += 1) {
    // Each row starts with its filter type: 0, none.
    filtered.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(filtered)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const chunk = Buffer.alloc(typed.length + 8);
  chunk.writeUInt32BE(data.length, 0);
  typed.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typed), typed.length + 4);
  return chunk;
}

/**
 * One 32-bit BMP image in an ICO container: what LoadImage reads on every Windows
 * version (PNG inside ICO is only certain for 256 px images).
 */
function encodeIco(pixels: Uint8Array): Buffer {
  const directory = Buffer.alloc(6 + 16);
  directory.writeUInt16LE(1, 2); // type: icon
  directory.writeUInt16LE(1, 4); // one image
  directory.writeUInt8(SIZE, 6);
  directory.writeUInt8(SIZE, 7);
  directory.writeUInt16LE(1, 10); // colour planes
  directory.writeUInt16LE(32, 12); // bits per pixel
  const bitmapHeader = Buffer.alloc(40);
  bitmapHeader.writeUInt32LE(40, 0);
  bitmapHeader.writeInt32LE(SIZE, 4);
  // An icon bitmap's height counts the colour image and the AND mask below it.
  bitmapHeader.writeInt32LE(SIZE * 2, 8);
  bitmapHeader.writeUInt16LE(1, 12);
  bitmapHeader.writeUInt16LE(32, 14);
  const colour = Buffer.alloc(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y += 1) {
    // Bottom-up rows of BGRA.
    const row = (SIZE - 1 - y) * SIZE * 4;
    for (let x = 0; x < SIZE; x += 1) {
      const from = (y * SIZE + x) * 4;
      colour.set([pixels[from + 2] ?? 0, pixels[from + 1] ?? 0, pixels[from] ?? 0, pixels[from + 3] ?? 0], row + x * 4);
    }
  }
  // All zero: with 32-bit colour the alpha channel decides transparency, not the mask.
  const andMask = Buffer.alloc(SIZE * Math.ceil(SIZE / 32) * 4);
  const imageSize = bitmapHeader.length + colour.length + andMask.length;
  directory.writeUInt32LE(imageSize, 14);
  directory.writeUInt32LE(directory.length, 18);
  return Buffer.concat([directory, bitmapHeader, colour, andMask]);
}
