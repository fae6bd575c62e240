import { deflateSync } from "node:zlib";

/**
 * A small line chart written as a PNG without dependencies: one line per series over a shared
 * x axis (minutes), light grid, a colour key drawn as swatches in the order given (the caption
 * names them). Good enough for a memory curve in the docs.
 */
export interface Series {
  name: string;
  points: Array<[number, number]>;
}

export const PALETTE: Array<[number, number, number]> = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
];

function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export function linePlotPng(series: Series[], width = 900, height = 420): Uint8Array {
  const px = new Uint8Array(width * height * 3).fill(255);
  const set = (x: number, y: number, [r, g, b]: [number, number, number]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (Math.round(y) * width + Math.round(x)) * 3;
    px[i] = r;
    px[i + 1] = g;
    px[i + 2] = b;
  };
  const m = { l: 50, r: 20, t: 30, b: 30 };
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map((p) => p[0]));
  const yMax = Math.max(1, ...all.map((p) => p[1])) * 1.1;
  const X = (x: number) => m.l + (x / xMax) * (width - m.l - m.r);
  const Y = (y: number) => height - m.b - (y / yMax) * (height - m.t - m.b);
  const grey: [number, number, number] = [220, 220, 220];
  for (let i = 0; i <= 10; i++) {
    const gy = Y((yMax / 10) * i);
    for (let x = m.l; x < width - m.r; x++) set(x, gy, grey);
    const gx = X((xMax / 10) * i);
    for (let y = m.t; y < height - m.b; y++) set(gx, y, grey);
  }
  const black: [number, number, number] = [0, 0, 0];
  for (let x = m.l; x < width - m.r; x++) set(x, height - m.b, black);
  for (let y = m.t; y < height - m.b; y++) set(m.l, y, black);
  series.forEach((s, si) => {
    const colour = PALETTE[si % PALETTE.length]!;
    for (let i = 1; i < s.points.length; i++) {
      const [x0, y0] = s.points[i - 1]!;
      const [x1, y1] = s.points[i]!;
      const steps = Math.max(1, Math.ceil(Math.hypot(X(x1) - X(x0), Y(y1) - Y(y0))));
      for (let k = 0; k <= steps; k++) {
        const x = X(x0) + ((X(x1) - X(x0)) * k) / steps;
        const y = Y(y0) + ((Y(y1) - Y(y0)) * k) / steps;
        set(x, y, colour);
        set(x, y + 1, colour);
      }
    }
    // key swatch, left to right along the top
    for (let dx = 0; dx < 30; dx++)
      for (let dy = 0; dy < 8; dy++) set(m.l + 10 + si * 45 + dx, 10 + dy, colour);
  });
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++)
    raw.set(px.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
