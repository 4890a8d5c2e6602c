import { inputs } from '@mlops-actions/core';

export const inputSpec = {
  message: inputs.string({ required: true }),
  mode: inputs.enum(['echo', 'wait', 'fail-user', 'fail-internal'] as const, { default: 'echo' }),
  repository: inputs.string({ default: '${{ github.repository }}' }),
  token: inputs.string({ default: '${{ github.token }}', secret: true }),
};
