import { ArchlabError } from '@archlab/core';

/** A layer the format cannot express (or whose kind has no exporter yet): nothing is written. */
export class UnsupportedLayerError extends ArchlabError {
  readonly code = 'UNSUPPORTED_LAYER';
  constructor(
    readonly format: string,
    readonly layer: string,
    readonly op: string,
    reason: string,
  ) {
    super(`cannot export layer '${layer}' to ${format}: op '${op}' ${reason}`);
  }
}

/** The trial asked for has no trained weights to export. */
export class MissingWeightsError extends ArchlabError {
  readonly code = 'MISSING_WEIGHTS';
}
