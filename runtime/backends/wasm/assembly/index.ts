// The kernel module's exports: every kernel the plans call, by name (declared for the host in
// ../exports.ts). Pointers are byte offsets into the one linear memory, which the host owns.

export { activate_f32 } from './activation';
export { attention_f32 } from './attention';
export { binary_f32 } from './binary';
export { cast, cast_from_mini, cast_to_mini } from './cast';
export { expr_f32 } from './expr';
export { binary_any, unary_any, where_any } from './generic';
export { conv2d_nhwc_f32 } from './conv';
export { conv_transpose_nhwc_f32 } from './conv-transpose';
export { dwconv_nhwc_f32 } from './depthwise';
export { gemm_f32, pack_b_f32, pack_bias_f32, pack_conv_f32, pack_dw_f32 } from './gemm';
export { gather_elements, onehot, scatter_elements, scatter_nd, trilu } from './indexing';
export { nll_loss_f32 } from './loss';
export { copy_nd, fill, gather, take_nd } from './movement';
export { affine_f32, instancenorm_f32, layernorm_f32 } from './norm';
export { avgpool_nhwc_f32, maxpool_nhwc_f32 } from './pool';
export { dequantize_f32, quantize_f32 } from './quant';
export { argreduce_f32, reduce_f32 } from './reduce';
export { resize_nhwc_f32, resize_planes_f32 } from './resize';
export { cumulate, cumulate_axis, hardmax_f32, lpnorm_f32, topk } from './scan';
export { softmax_f32 } from './softmax';
export { unary_f32 } from './unary';
export { winograd3x3_nhwc_f32 } from './winograd';

/** Where the host may start placing buffers: past the module's own static data. */
export function heap_base(): usize {
  return __heap_base;
}
