// `npm start` (after the build): the face-detection demo. With no display ($DISPLAY unset) it runs
// headless, prints the faces and timings, saves .out/demo.png and exits; with one it opens a window.

import { formatResult, runHeadlessDemo, runVisibleDemo } from './run-demo';
import { DemoImageError } from './site';

async function main(): Promise<number> {
  try {
    if (!process.env.DISPLAY) {
      const result = await runHeadlessDemo();
      for (const line of formatResult(result)) console.log(line);
      console.log(`screenshot: ${result.screenshotPath}`);
      return result.faces.length > 0 ? 0 : 1;
    }
    await runVisibleDemo();
    return 0;
  } catch (e) {
    console.error(e instanceof DemoImageError ? `kiln demo: ${e.message}` : e);
    return 1;
  }
}

process.exitCode = await main();
