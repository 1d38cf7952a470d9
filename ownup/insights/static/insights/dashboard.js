// Draws the dashboard's charts from the figures the page carries; the tables hold the same numbers.
(function () {
  "use strict";
  const PALETTE = ["#0f766e", "#6172f3", "#f79009", "#b42318", "#0ba5ec", "#7a5af8", "#66c61c", "#ee46bc", "#5c6478", "#ca8504"];
  const STAGE_COLOURS = { Reported: "#f97066", Contained: "#fdb022", Understood: "#8098f9", Decided: "#6172f3", Fixed: "#53b1fd", Told: "#2e90fa", Monitoring: "#2ed3b7", Closed: "#32d583" };
  const SEVERITY_COLOURS = { critical: "#912018", high: "#f04438", medium: "#fdb022", low: "#98a2b3" };

  function label(bucket, per) {
    const day = new Date(bucket + "T00:00:00Z");
    const options = per === "week" ? { day: "numeric", month: "short", timeZone: "UTC" } : { month: "short", year: "2-digit", timeZone: "UTC" };
    return day.toLocaleDateString("en-GB", options);
  }

  function draw() {
    const source = document.getElementById("dashboard-data");
    if (!source || !window.Chart) return;
    const data = JSON.parse(source.textContent);
    const labels = data.buckets.map((b) => label(b, data.filters.bucket));
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#5c6478";
    Chart.defaults.animation = false;

    document.querySelectorAll("canvas[data-figure]").forEach((canvas) => {
      const figure = data.figures[canvas.dataset.figure];
      new Chart(canvas, {
        type: "line",
        data: { labels, datasets: [{ label: figure.label, data: figure.series, borderColor: "#0f766e", backgroundColor: "rgba(15,118,110,.12)", fill: true, cubicInterpolationMode: "monotone", spanGaps: false, pointRadius: 2 }] },
        options: {
          maintainAspectRatio: false,
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${c.formattedValue} ${figure.unit}` } } },
          scales: { y: { beginAtZero: true, suggestedMax: figure.unit === "%" ? 100 : undefined, title: { display: true, text: figure.unit } } },
        },
      });
    });

    document.querySelectorAll("canvas[data-counts]").forEach((canvas) => {
      const key = canvas.dataset.counts;
      const counts = data.counts[key];
      const colours = key === "stage" ? STAGE_COLOURS : key === "severity" ? SEVERITY_COLOURS : {};
      const datasets = Object.entries(counts.series).map(([name, series], index) => ({
        label: name, data: series, backgroundColor: colours[name] || PALETTE[index % PALETTE.length],
        stack: "all",
      }));
      if (counts.shape === "totals") {
        // Many tags (or categories) over time tangle: their totals read better side by side.
        new Chart(canvas, {
          type: "bar",
          data: { labels: Object.keys(counts.totals), datasets: [{ label: "mistakes", data: Object.values(counts.totals), backgroundColor: "#6172f3" }] },
          options: { indexAxis: "y", maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
        });
        return;
      }
      new Chart(canvas, {
        type: "bar",
        data: { labels, datasets },
        options: {
          maintainAspectRatio: false,
          plugins: { legend: { position: "bottom", labels: { boxWidth: 12, boxHeight: 12 } } },
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        },
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
