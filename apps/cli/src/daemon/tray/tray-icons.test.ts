import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { renderTrayIcon, type TrayIconName } from './tray-icons.js';

const NAMES: readonly TrayIconName[] = ['in-sync', 'drift', 'error', 'paused', 'idle'];

interface Image {
  readonly width: number;
  readonly height: number;
  /** RGBA at (x, y). */
  readonly at: (x: number, y: number) => readonly number[];
}

/** A strict reader for what the encoder writes: every chunk's CRC checked, 8-bit RGBA, filter 0 rows. */
function decodePng(png: Buffer): Image {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: { type: string; data: Buffer }[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const typed = png.subarray(offset + 4, offset + 8 + length);
    expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(typed));
    chunks.push({ type: typed.subarray(0, 4).toString('latin1'), data: typed.subarray(4) });
    offset += length + 12;
  }
  expect(chunks.map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const header = chunks[0]!.data;
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  expect([...header.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
  const rows = inflateSync(chunks[1]!.data);
  expect(rows.length).toBe((width * 4 + 1) * height);
  for (let y = 0; y < height; y += 1) expect(rows[y * (width * 4 + 1)]).toBe(0);
  return {
    width,
    height,
    at: (x, y) => [...rows.subarray(y * (width * 4 + 1) + 1 + x * 4, y * (width * 4 + 1) + 1 + x * 4 + 4)],
  };
}

/** Reads the one 32-bit BMP image of an ICO, rows turned top-down, BGRA turned RGBA. */
function decodeIco(ico: Buffer): Image {
  expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, 1]);
  const width = ico.readUInt8(6);
  const height = ico.readUInt8(7);
  expect(ico.readUInt16LE(12)).toBe(32);
  const size = ico.readUInt32LE(14);
  const offset = ico.readUInt32LE(18);
  expect(offset + size).toBe(ico.length);
  const bitmap = ico.subarray(offset);
  expect([bitmap.readUInt32LE(0), bitmap.readInt32LE(4), bitmap.readInt32LE(8), bitmap.readUInt16LE(14)]).toEqual([40, width, height * 2, 32]);
  // Colour rows, then a 1-bit AND mask padded to 32-bit rows.
  expect(size).toBe(40 + width * height * 4 + height * Math.ceil(width / 32) * 4);
  return {
    width,
    height,
    at: (x, y) => {
      const from = 40 + ((height - 1 - y) * width + x) * 4;
      return [bitmap[from + 2]!, bitmap[from + 1]!, bitmap[from]!, bitmap[from + 3]!];
    },
  };
}

describe('renderTrayIcon', () => {
  it.each(NAMES)('draws %s as a valid 32×32 PNG: an opaque disc on a transparent ground', (name) => {
    const image = decodePng(renderTrayIcon(name, 'png'));
    expect([image.width, image.height]).toEqual([32, 32]);
    for (const [x, y] of [[0, 0], [31, 0], [0, 31], [31, 31]] as const) expect(image.at(x, y)[3]).toBe(0);
    // Inside the disc, clear of the glyph: fully opaque.
    expect(image.at(16, 3)[3]).toBe(255);
  });

  it('tells the states apart by colour and by glyph', () => {
    const images = new Map(NAMES.map((name) => [name, decodePng(renderTrayIcon(name, 'png'))]));
    const disc = (name: TrayIconName): readonly number[] => images.get(name)!.at(16, 3);
    const [green, amber, red] = [disc('in-sync'), disc('drift'), disc('error')];
    expect(green[1]).toBeGreaterThan(green[0]! + 60);
    expect(red[0]).toBeGreaterThan(red[1]! + 100);
    expect(amber[0]).toBeGreaterThan(amber[2]! + 150);
    expect(amber[1]).toBeGreaterThan(amber[2]! + 100);
    // Grey for paused and idle; they differ by glyph: the pause bars stand where idle's dots do not.
    for (const name of ['paused', 'idle'] as const) {
      const [r, g, b] = disc(name);
      expect(Math.max(r!, g!, b!) - Math.min(r!, g!, b!)).toBeLessThan(12);
    }
    expect(images.get('paused')!.at(12, 11)).toEqual([255, 255, 255, 255]);
    expect(images.get('idle')!.at(12, 11)).not.toEqual([255, 255, 255, 255]);
    // Every icon is its own picture.
    expect(new Set(NAMES.map((name) => renderTrayIcon(name, 'png').toString('base64'))).size).toBe(NAMES.length);
  });

  it.each(NAMES)('draws %s as an ICO for Windows with the same pixels', (name) => {
    const png = decodePng(renderTrayIcon(name, 'png'));
    const ico = decodeIco(renderTrayIcon(name, 'ico'));
    expect([ico.width, ico.height]).toEqual([32, 32]);
    for (let y = 0; y < 32; y += 1) {
      for (let x = 0; x < 32; x += 1) expect(ico.at(x, y)).toEqual(png.at(x, y));
    }
  });
});
