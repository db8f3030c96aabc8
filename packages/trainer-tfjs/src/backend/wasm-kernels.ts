/**
 * Kernels the wasm backend lacks for training (Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput). Placeholder: filled in
 * by the wasm-kernels work.
 */
export function registerWasmGradientKernels(): void {}
