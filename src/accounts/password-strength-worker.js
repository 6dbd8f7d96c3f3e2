// The zxcvbn strength meter, in a worker thread of its own: its dictionaries take about 60 MB of heap
// and a few hundred milliseconds to index, which the API process then does not carry between
// registrations (the worker ends when idle), and a long password's scoring never blocks the event loop.
// Plain JavaScript so it loads the same way under tsx, Vitest and plain Node.
import { parentPort, workerData } from 'node:worker_threads';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

const meter = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
  maxLength: workerData.maxLength,
  // Each allowed substitution multiplies the variants tried; leaked passwords rarely use more.
  l33tMaxSubstitutions: 8,
});

parentPort.on('message', ({ id, password, userInputs }) => {
  const { score, feedback } = meter.check(password, userInputs);
  parentPort.postMessage({ id, score, warning: feedback.warning, suggestions: feedback.suggestions });
});
