/** Images and labels of one split, compact: `count` images of `h*w*c` bytes each, NHWC order. */
export interface Split {
  readonly count: number;
  /** `count * h * w * c` pixel values in [0, 255], image after image, each row-major with channels last. */
  readonly images: Uint8Array;
  /** `count` class indices in [0, numClasses). */
  readonly labels: Uint8Array;
}

/**
 * An image classification data set, decoded. Plain data (typed arrays and numbers, no methods),
 * so a loaded copy can be posted to a worker thread. A new data set (CIFAR-10...) is a module
 * with a `DatasetSource` that decodes its files into this shape; training reads nothing else.
 */
export interface Dataset {
  readonly name: string;
  /** [height, width, channels]. */
  readonly imageShape: readonly [number, number, number];
  readonly numClasses: number;
  /** `numClasses` names, by label. */
  readonly classNames: readonly string[];
  /** Per-channel mean and standard deviation of the training images, on the [0, 1] scale: what batches are normalised with. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly train: Split;
  readonly test: Split;
}

export interface DatasetLoadOptions {
  /** Where the data set's files are; each source has its own default and environment variable. */
  readonly dataDir?: string;
}

/** How a data set is found and decoded: what the registry holds, one per data set. */
export interface DatasetSource {
  readonly name: string;
  readonly description: string;
  /** Reads and checks the files; a missing or damaged file is a DataError that says what to do. */
  load(options: DatasetLoadOptions): Promise<Dataset>;
}

/** Bytes per image. */
export function imageSize(dataset: Pick<Dataset, 'imageShape'>): number {
  const [h, w, c] = dataset.imageShape;
  return h * w * c;
}
