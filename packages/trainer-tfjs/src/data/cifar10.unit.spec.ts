import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '@archlab/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  CIFAR10_DEFAULT_DIR,
  CIFAR10_ENV,
  CIFAR10_RECORD_BYTES,
  cifar10,
  cifar10Dir,
  decodeCifar10,
  encodeCifar10,
} from './cifar10.js';
import { loadDataset } from './registry.js';
import { splitDataset } from './split.js';

const root = mkdtempSync(join(tmpdir(), 'archlab-cifar10-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Record `r` of a batch whose first record is `first`: label `(first + r) % 10`, pixel values that encode where they are. */
function record(first: number, r: number): Uint8Array {
  const bytes = new Uint8Array(CIFAR10_RECORD_BYTES);
  bytes[0] = (first + r) % 10;
  // Red: the record; green: the row; blue: the column. Written plane by plane, as the format stores them.
  for (let p = 0; p < 1024; p++) {
    bytes[1 + p] = first + r;
    bytes[1 + 1024 + p] = Math.floor(p / 32);
    bytes[1 + 2048 + p] = 100 + (p % 32);
  }
  return bytes;
}

function batch(first: number, count: number): Uint8Array {
  const out = new Uint8Array(count * CIFAR10_RECORD_BYTES);
  for (let r = 0; r < count; r++) out.set(record(first, r), r * CIFAR10_RECORD_BYTES);
  return out;
}

type Files = Record<string, Uint8Array | string>;

/** Five training batches of 4 records (labels 0..9 twice) and a test batch of 3. */
function validFiles(): Files {
  const files: Files = { 'test_batch.bin': batch(200, 3) };
  for (let i = 1; i <= 5; i++) files[`data_batch_${i}.bin`] = batch((i - 1) * 4, 4);
  return files;
}

function writeDir(files: Files): string {
  const dir = mkdtempSync(join(root, 'case-'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

describe('CIFAR-10 records', () => {
  it('turn the R, G and B planes into NHWC pixels', () => {
    const split = decodeCifar10(batch(7, 2), 'x.bin');
    expect(split.count).toBe(2);
    expect([...split.labels]).toEqual([7, 8]);
    expect(split.images.length).toBe(2 * 32 * 32 * 3);
    const pixel = (n: number, y: number, x: number) => {
      const at = ((n * 32 + y) * 32 + x) * 3;
      return [...split.images.subarray(at, at + 3)];
    };
    expect(pixel(0, 0, 0)).toEqual([7, 0, 100]);
    expect(pixel(0, 5, 17)).toEqual([7, 5, 117]);
    expect(pixel(1, 31, 31)).toEqual([8, 31, 131]);
    // Byte 1 + 1024 + 32 * 3 + 4 of record 1 is its green value at row 3, column 4.
    const bytes = batch(0, 2);
    bytes[CIFAR10_RECORD_BYTES + 1 + 1024 + 32 * 3 + 4] = 222;
    const edited = decodeCifar10(bytes, 'x.bin');
    expect(edited.images[((1 * 32 + 3) * 32 + 4) * 3 + 1]).toBe(222);
  });

  it('encode back to the same bytes', () => {
    const bytes = batch(3, 3);
    expect(Buffer.from(encodeCifar10(decodeCifar10(bytes, 'x.bin'))).equals(Buffer.from(bytes))).toBe(true);
  });

  it.each([
    ['a truncated last record', batch(0, 3).subarray(0, 3 * CIFAR10_RECORD_BYTES - 10), /9209 bytes are not a whole number of 3073-byte records \(record 2 has 3063 bytes\)/],
    ['a file of the wrong size', new Uint8Array(100), /100 bytes .* \(record 0 has 100 bytes\)/],
    ['an empty file', new Uint8Array(0), /holds no records/],
  ])('reject %s as a DataError naming the file and the record', (_, bytes, what) => {
    const attempt = () => decodeCifar10(bytes, '/data/data_batch_2.bin');
    expect(attempt).toThrow(DataError);
    expect(attempt).toThrow(what);
    expect(attempt).toThrow(/^cifar10: \/data\/data_batch_2\.bin .*; download and extract https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar-10-binary\.tar\.gz again/);
  });

  it('reject a label above 9, naming the record and its byte', () => {
    const bytes = batch(0, 4);
    bytes[2 * CIFAR10_RECORD_BYTES] = 10;
    const attempt = () => decodeCifar10(bytes, 'test_batch.bin');
    expect(attempt).toThrow(DataError);
    expect(attempt).toThrow(/^cifar10: test_batch\.bin has label 10 in record 2 \(byte 6146\), outside 0\.\.9; /);
  });
});

describe('cifar10 loader', () => {
  afterEach(() => {
    delete process.env[CIFAR10_ENV];
  });

  it('reads the five training batches in order, then the test batch', async () => {
    const ds = await cifar10.load({ dataDir: writeDir(validFiles()) });
    expect(ds.name).toBe('cifar10');
    expect(ds.imageShape).toEqual([32, 32, 3]);
    expect(ds.numClasses).toBe(10);
    expect(ds.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    expect(ds.mean).toHaveLength(3);
    expect(ds.std).toHaveLength(3);
    expect(ds.train.count).toBe(20);
    expect([...ds.train.labels]).toEqual([...Array(20).keys()].map((i) => i % 10));
    // The red value is the record's number across the five files: batch 4's second record is 13.
    expect(ds.train.images[13 * 3072]).toBe(13);
    expect(ds.test.count).toBe(3);
    expect([...ds.test.labels]).toEqual([0, 1, 2]);
    // Pixel 50 is row 1, column 18: its blue value is 100 + 18.
    expect(ds.test.images[2 * 3072 + 3 * 50 + 2]).toBe(118);
  });

  it('takes the class names from batches.meta.txt', async () => {
    const names = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n';
    const ds = await cifar10.load({ dataDir: writeDir({ ...validFiles(), 'batches.meta.txt': names }) });
    expect(ds.classNames).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    const bad = cifar10.load({ dataDir: writeDir({ ...validFiles(), 'batches.meta.txt': 'a\nb\n' }) });
    await expect(bad).rejects.toThrow(DataError);
    await expect(bad).rejects.toThrow(/batches\.meta\.txt lists 2 class names, not 10/);
  });

  it('splits train/val/test as Fashion-MNIST is split: stratified, seeded, from loadDataset', async () => {
    const dir = writeDir(validFiles());
    const ds = await loadDataset('cifar10', { dataDir: dir });
    expect(await loadDataset('cifar10', { dataDir: dir })).toBe(ds);
    const split = (seed: number) => splitDataset(ds, { valFraction: 0.5, seed });
    const a = split(0);
    expect(a.train.indices.length).toBe(10);
    expect(a.val.indices.length).toBe(10);
    // Each of the ten classes has two training images: one in train, one in validation.
    const classes = (idx: Uint32Array) => [...idx].map((i) => ds.train.labels[i]!).sort();
    expect(classes(a.val.indices)).toEqual([...Array(10).keys()]);
    expect(classes(a.train.indices)).toEqual([...Array(10).keys()]);
    expect([...a.test.indices]).toEqual([0, 1, 2]);
    expect([...split(0).val.indices]).toEqual([...a.val.indices]);
    const others = [1, 2, 3, 4].map((seed) => [...split(seed).val.indices].join());
    expect(others.some((o) => o !== [...a.val.indices].join())).toBe(true);
  });

  it('takes the directory from dataDir, then the environment, then ~/.cache/archlab', () => {
    expect(CIFAR10_DEFAULT_DIR).toMatch(/\.cache\/archlab\/cifar-10-batches-bin$/);
    expect(cifar10Dir({})).toBe(CIFAR10_DEFAULT_DIR);
    process.env[CIFAR10_ENV] = '/from/env';
    expect(cifar10Dir({})).toBe('/from/env');
    expect(cifar10Dir({ dataDir: '/from/option' })).toBe('/from/option');
  });

  it('reads the directory named by the environment variable', async () => {
    process.env[CIFAR10_ENV] = writeDir(validFiles());
    expect((await cifar10.load({})).test.count).toBe(3);
  });

  it('says where it looked and how to get the data when the directory is missing', async () => {
    const load = cifar10.load({ dataDir: join(root, 'nowhere') });
    await expect(load).rejects.toThrow(DataError);
    await expect(load).rejects.toThrow(
      /^cifar10: directory .*nowhere not found; download https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar-10-binary\.tar\.gz, extract it/,
    );
    await expect(load).rejects.toThrow(/ARCHLAB_CIFAR10_DIR .*data-dir=DIR/);
  });

  it('says so when the directory is a file', async () => {
    const dir = writeDir(validFiles());
    await expect(cifar10.load({ dataDir: join(dir, 'test_batch.bin') })).rejects.toThrow(
      /^cifar10: \S*test_batch\.bin is not a directory; download https:/,
    );
  });

  it('names a missing batch file', async () => {
    const files = validFiles();
    delete files['data_batch_4.bin'];
    await expect(cifar10.load({ dataDir: writeDir(files) })).rejects.toThrow(
      /data_batch_4\.bin not found; download https:/,
    );
  });

  it('names the damaged file', async () => {
    const files = validFiles();
    files['data_batch_3.bin'] = batch(0, 2).subarray(0, CIFAR10_RECORD_BYTES + 5);
    const load = cifar10.load({ dataDir: writeDir(files) });
    await expect(load).rejects.toThrow(DataError);
    await expect(load).rejects.toThrow(/data_batch_3\.bin is truncated .*\(record 1 has 5 bytes\)/);
  });

  it('rejects a directory in place of a batch file', async () => {
    const dir = writeDir(validFiles());
    rmSync(join(dir, 'test_batch.bin'));
    mkdirSync(join(dir, 'test_batch.bin'));
    await expect(cifar10.load({ dataDir: dir })).rejects.toThrow(/cifar10: cannot read .*test_batch\.bin/);
  });
});
