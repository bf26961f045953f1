// The attention op family: every spec this folder defines, for ../registry.
import type { OpSpec } from '../spec';
import { attentionSpec } from './attention';

export const attentionOps: OpSpec[] = [attentionSpec as OpSpec];
