"""Server-side SVG line charts (no JavaScript, no CDN): cap vs used vs waitlist per day."""
from django.utils import timezone

WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 640, 220, 48, 16, 16, 36
SERIES = [("cap", "#1f6feb"), ("used", "#2da44e"), ("waitlist", "#d1242f")]


def area_chart(usage, snapshots):
    """Chart data for one area: polylines per series, y ticks and x labels, ready for the template.

    Points are the recorded snapshots plus today's live figures (replacing today's snapshot).
    """
    today = timezone.localdate()
    points = [(s.day, {"cap": s.cap, "used": s.used, "waitlist": s.waitlist}) for s in snapshots if s.day != today]
    points.append((today, {k: usage[k] for k, _c in SERIES}))
    top = max([1] + [v for _d, vals in points for v in vals.values()])
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    n = len(points)

    def x(i):
        return PAD_L + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v):
        return PAD_T + plot_h - plot_h * v / top

    series = []
    for key, colour in SERIES:
        coords = [(round(x(i), 1), round(y(vals[key]), 1)) for i, (_d, vals) in enumerate(points)]
        series.append({"key": key, "colour": colour, "points": " ".join(f"{a},{b}" for a, b in coords),
                       "dots": coords, "last": points[-1][1][key]})
    ticks = sorted({0, top // 2, top})
    step = max(1, n // 6)
    labels = [{"x": round(x(i), 1), "text": d.strftime("%d.%m.")} for i, (d, _v) in enumerate(points)
              if i % step == 0 or i == n - 1]
    return {
        "width": WIDTH, "height": HEIGHT, "series": series, "labels": labels,
        "ticks": [{"y": round(y(t), 1), "text": t} for t in ticks],
        "x0": PAD_L, "x1": WIDTH - PAD_R, "y0": PAD_T, "y1": HEIGHT - PAD_B, "label_y": HEIGHT - PAD_B + 16,
        "rows": [{"day": d, **vals} for d, vals in points],
    }
