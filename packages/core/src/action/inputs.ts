// Reads an action's declared inputs from the runner's INPUT_* variables, masking secret ones before anything is logged.
import * as core from '@actions/core';
import { envInputSource, parseInputs, type InputSpec, type ParsedInputs } from '../inputs.js';

export function readInputs<S extends InputSpec>(spec: S, env: NodeJS.ProcessEnv = process.env): ParsedInputs<S> {
  return parseInputs(spec, envInputSource(env), { onSecret: (value) => core.setSecret(value) });
}
