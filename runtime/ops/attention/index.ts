// The attention op family: every spec this folder defines, for ../registry. RMSNormalization's
// kernel lives with the other normalisations in ../reduce, which leaves registering it to us.
import { unregisteredReduceOps } from '../reduce';
import type { OpSpec } from '../spec';
import { attentionSpec } from './attention';
import { causalConvSpec } from './causal-conv';
import { flexAttentionSpec } from './flex-attention';
import { linearAttentionSpec } from './linear-attention';
import { rotarySpec } from './rotary';
import { swigluSpec } from './swiglu';

export const attentionOps: OpSpec[] = [
  attentionSpec, flexAttentionSpec, linearAttentionSpec, causalConvSpec, rotarySpec, swigluSpec,
  ...unregisteredReduceOps,
];
