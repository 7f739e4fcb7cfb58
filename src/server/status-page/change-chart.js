// The status page's chart of changes per minute over the last hour, by kind: filled from the
// server's history, then counted live from the feed (events the history covers are not counted
// twice). Drawn with Chart.js (window.Chart, loaded by the page); the summary line works without it.

const MINUTE = 60_000;
const KINDS = ['CREATED', 'UPDATED', 'DELETED'];

const floorMinute = (ms) => Math.floor(ms / MINUTE) * MINUTE;
const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function toSeq(cursor) {
  try {
    return BigInt(cursor);
  } catch {
    return 0n;
  }
}

/** The chart's colours, from the CSS (light or dark scheme). */
function palette() {
  const colour = (name) => ({ backgroundColor: cssVar(name), borderColor: cssVar(name), hoverBackgroundColor: cssVar(name) });
  return { created: colour('--created'), updated: colour('--updated'), deleted: colour('--deleted'), text: cssVar('--muted'), grid: cssVar('--chart-grid') };
}

/**
 * @param {{ canvas: HTMLCanvasElement, summary: HTMLElement, minutes: number, numbers: Intl.NumberFormat, clock: Intl.DateTimeFormat }} options
 *   `minutes`: the window's length; `numbers` and `clock` format counts and minutes.
 */
export function createChangeChart({ canvas, summary, minutes: windowMinutes, numbers, clock }) {
  /** Minute (ms) → counts by kind. */
  const buckets = new Map();
  let windowEnd = floorMinute(Date.now());
  /** Events up to this cursor are in the history already loaded. */
  let historyCursor = 0n;
  let chart = null;
  let queued = false;

  function draw() {
    const minutes = Array.from({ length: windowMinutes }, (_, i) => windowEnd - (windowMinutes - 1 - i) * MINUTE);
    for (const key of buckets.keys()) if (key < minutes[0]) buckets.delete(key);
    const [created, updated, deleted] = KINDS.map((kind) => minutes.map((m) => buckets.get(m)?.[kind] ?? 0));
    const sum = (list) => list.reduce((a, b) => a + b, 0);
    const total = sum(created) + sum(updated) + sum(deleted);
    const breakdown = document.createElement('span');
    breakdown.className = 'breakdown';
    breakdown.textContent = ` (${numbers.format(sum(created))} created, ${numbers.format(sum(updated))} updated, ${numbers.format(sum(deleted))} deleted)`;
    summary.replaceChildren(`${numbers.format(total)} change${total === 1 ? '' : 's'} in the last hour`, breakdown);

    const Chart = globalThis.Chart;
    if (!Chart) return;
    const labels = minutes.map((m) => clock.format(new Date(m)));
    if (chart) {
      chart.data.labels = labels;
      chart.data.datasets[0].data = created;
      chart.data.datasets[1].data = updated;
      chart.data.datasets[2].data = deleted;
      chart.update('none');
      return;
    }
    const reduceMotion = matchMedia('(prefers-reduced-motion: reduce)').matches;
    chart = new Chart(canvas, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: 'Created', data: created, stack: 'changes', ...palette().created },
          { label: 'Updated', data: updated, stack: 'changes', ...palette().updated },
          { label: 'Deleted', data: deleted, stack: 'changes', ...palette().deleted },
        ],
      },
      options: {
        animation: reduceMotion ? false : { duration: 250 },
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { autoSkip: true, autoSkipPadding: 16, maxTicksLimit: 7, maxRotation: 0 } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0, maxTicksLimit: 6 } },
        },
        plugins: {
          colors: { enabled: false },
          legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 12 } },
          tooltip: { callbacks: { title: (items) => (items[0] ? `${items[0].label}` : '') } },
        },
      },
    });
    recolour();
  }

  /** Applies the palette (at creation, and when the colour scheme changes). */
  function recolour() {
    if (!chart) return;
    const colours = palette();
    chart.data.datasets.forEach((set, i) => Object.assign(set, [colours.created, colours.updated, colours.deleted][i]));
    chart.options.color = colours.text;
    chart.options.scales.x.ticks.color = colours.text;
    chart.options.scales.y.ticks.color = colours.text;
    chart.options.scales.y.grid.color = colours.grid;
    chart.options.scales.y.border = { color: colours.grid };
    chart.options.scales.x.border = { color: colours.grid };
    chart.options.plugins.legend.labels.color = colours.text;
    chart.update('none');
  }

  return {
    /** Replaces the counts with the server's history (`changeHistory` rows), which covers events up to `cursor`. */
    setHistory(rows, cursor) {
      buckets.clear();
      for (const row of rows) buckets.set(Date.parse(row.minute), { CREATED: row.created, UPDATED: row.updated, DELETED: row.deleted });
      windowEnd = Math.max(floorMinute(Date.now()), ...buckets.keys());
      const seq = toSeq(cursor);
      if (seq > historyCursor) historyCursor = seq;
      draw();
    },

    /** Counts a live event from the feed (drawn at most twice a second). */
    count(event) {
      if (toSeq(event.cursor) <= historyCursor) return;
      const minute = floorMinute(Date.parse(event.occurredAt));
      if (!Number.isFinite(minute) || minute <= windowEnd - windowMinutes * MINUTE) return;
      if (minute > windowEnd) windowEnd = minute;
      let bucket = buckets.get(minute);
      if (!bucket) buckets.set(minute, (bucket = { CREATED: 0, UPDATED: 0, DELETED: 0 }));
      bucket[event.kind] = (bucket[event.kind] ?? 0) + 1;
      if (!queued) {
        queued = true;
        setTimeout(() => {
          queued = false;
          draw();
        }, 500);
      }
    },

    /** Moves the window on to the current minute; true when it moved (then reload the history). */
    roll() {
      const now = floorMinute(Date.now());
      if (now <= windowEnd) return false;
      windowEnd = now;
      draw();
      return true;
    },

    recolour,
  };
}
