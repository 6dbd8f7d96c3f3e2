import { startTestServer } from '../support/api.ts';
import { taskSuite } from '../support/task-suite.ts';

taskSuite('tasks over a local tree, exported to a local folder', {
  start: () => startTestServer(),
  outputRoot: (t) => `${t.dataDir}/exports`,
  localTree: (t) => t.intentTree,
});
