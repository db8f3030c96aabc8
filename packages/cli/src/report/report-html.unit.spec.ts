import { describe, expect, it } from 'vitest';
import { ReportBuilder } from './report-data.js';
import { renderReportHtml, reportPayload } from './report-html.js';

const scriptTexts = (html: string, id: string) =>
  new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, 's').exec(html)?.[1];

describe('renderReportHtml', () => {
  const hostile = '</script><script>alert(1)</script>';
  const data = new ReportBuilder([`run${hostile}`]).data({ title: hostile });

  it('inlines the payload so that no text of the data can end its script element', () => {
    const html = renderReportHtml(data);
    // The page's 6 scripts (payload, live settings, vega, vega-lite, vega-embed, its own) and no other.
    expect(html.match(/<script\b/g)).toHaveLength(6);
    expect(html.match(/<\/script>/g)).toHaveLength(6);
    expect(html).toContain(
      '<title>archlab report: &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>',
    );
    expect(JSON.parse(scriptTexts(html, 'report-data')!)).toEqual(
      JSON.parse(JSON.stringify(reportPayload(data))),
    );
    expect(JSON.parse(scriptTexts(html, 'report-live')!)).toBeNull();
  });

  it('names the event stream of a live page', () => {
    const html = renderReportHtml(data, { live: { eventsUrl: '/runs/x/events' } });
    expect(JSON.parse(scriptTexts(html, 'report-live')!)).toEqual({ eventsUrl: '/runs/x/events' });
  });
});
