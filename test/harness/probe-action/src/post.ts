import * as core from '@actions/core';
import { runAction } from '@mlops-actions/core/action';

await runAction(async ({ logger }) => {
  const resource = core.getState('resource');
  logger.info(`cleaning up ${resource || 'nothing'}`);
  core.setOutput('cleaned', resource);
});
