// Element type codes shared by the dtype-generic kernels; they match TYPE in ../codes.ts.

export const T_F32 = 0;
export const T_F64 = 1;
export const T_I8 = 2;
export const T_U8 = 3;
export const T_I16 = 4;
export const T_U16 = 5;
export const T_I32 = 6;
export const T_U32 = 7;
export const T_I64 = 8;
export const T_U64 = 9;
/** one byte, 0 or 1 */
export const T_BOOL = 10;
/** IEEE half, raw bits */
export const T_F16 = 11;
/** bfloat16, raw bits */
export const T_BF16 = 12;
