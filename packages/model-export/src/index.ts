export { MissingWeightsError, UnsupportedLayerError } from './errors.js';
export { modelExportModule } from './model-export-module.js';
export {
  exportOnnx,
  ONNX_INPUT,
  ONNX_OUTPUT,
  type OnnxExportOptions,
  onnxModel,
} from './onnx/export-onnx.js';
export {
  type LayerExport,
  type LayerExporter,
  type Layout,
  ONNX_EXPORTERS,
  type OnnxValue,
  onnxExporter,
  onnxPads,
} from './onnx/layer-exporters.js';
export { ONNX_OPSET } from './onnx/onnx-graph.js';
