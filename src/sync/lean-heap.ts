// The gateway's live data is small (tens of MB), but a long sync session churns through large
// page texts and their parameters. By default V8 lets the heap grow to several times its live
// size before a full collection. Allowed to grow by a quarter over what is live, the heap stays
// close to it: in `npm run bench -- sync`, peak RSS 440 MB became 280-300 MB, throughput the
// same within noise. The cost is more frequent full collections, which lengthen the slowest
// query answers (the query bench's cached p99 went from 16 to 35 ms), so the policy holds only
// while a long session runs. A soft policy, unlike a heap limit: nothing is ever refused.
import v8 from 'node:v8';

/** Growth of the heap over its live size allowed before the next full collection, in percent. */
export const HEAP_GROWING_PERCENT = 25;

let holders = 0;

/** Holds the lean heap policy for this process until the returned function is called. */
export function holdLeanHeap(): () => void {
  if (holders++ === 0) v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // 0 is V8's own default: its dynamic growing factor.
    if (--holders === 0) v8.setFlagsFromString('--heap-growing-percent=0');
  };
}
