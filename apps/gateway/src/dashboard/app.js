// Tickerplant dashboard: plain ES modules served by the gateway, no build step.
import { initAlerts } from "./alerts.js";
import { initKeyForm } from "./api-key.js";
import { initChart } from "./chart.js";
import { initComposite } from "./composite.js";
import { initPortfolio } from "./portfolio.js";
import { connect } from "./socket.js";
import { initStatus } from "./status.js";
import { initTickers } from "./tickers.js";

initKeyForm();
initStatus();
initTickers();
initChart();
initComposite();
initAlerts();
initPortfolio();
connect();
