// A worker process of `bench ofa-claim` (forked by main.mjs, jobs over IPC): one architecture
// trained stand-alone per job by the `train` estimator's code path (runTrainingTrial, images
// resized to its resolution), answered with its metrics and the job's time.
import { serveJobs, trainStandalone } from '../bench-jobs.mjs';

serveJobs({ standalone: (job) => trainStandalone('mbv3', job) });
