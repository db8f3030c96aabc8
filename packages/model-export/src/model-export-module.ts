import { ContainerModule } from '@archlab/core';

/**
 * Nothing for runs: the package's work is the `export-model` command (its commands module) and
 * `exportOnnx` for code. The CLI loads it by name like every default plugin, which needs a module.
 */
export const modelExportModule = new ContainerModule(() => {});
