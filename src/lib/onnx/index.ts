export { exportOnnx, tfPads, UnsupportedLayerError, type ExportOptions } from './export';
export { describeOnnx, OnnxFormatError, type OnnxDescription, type OnnxNodeInfo, type OnnxTensorInfo, type OnnxParameterInfo, type OnnxDim } from './describe';
