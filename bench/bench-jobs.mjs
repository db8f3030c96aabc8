import { fork } from 'node:child_process';

/**
 * Runs `jobs` on `workers` forked processes of the script `worker` (jobs over IPC: it answers
 * each `{ ...job, id }` with `{ id, result }` or `{ id, error }`), each taking the next job when
 * free; `onDone(job, result)` as each finishes. Resolves with the results in job order.
 */
export async function runJobs(worker, jobs, workers, onDone) {
  const results = new Array(jobs.length);
  let next = 0;
  const children = [];
  const one = () =>
    new Promise((resolveAll, reject) => {
      const child = fork(worker, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      const give = () => {
        if (next >= jobs.length) {
          child.disconnect();
          return resolveAll();
        }
        const id = next++;
        child.send({ ...jobs[id], id });
      };
      child.on('message', (m) => {
        if (m.error !== undefined) return reject(new Error(`${jobs[m.id].what}: ${m.error}`));
        results[m.id] = m.result;
        onDone(jobs[m.id], m.result);
        give();
      });
      child.on('exit', (code, signal) => {
        if (code !== 0) reject(new Error(`a worker exited with ${signal ?? `code ${code}`}`));
      });
      give();
    });
  try {
    await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, one));
  } finally {
    for (const c of children) if (c.exitCode === null && c.connected) c.kill();
  }
  return results;
}
