/* Outline: a code block that scrolls sideways (long lines, a phone) can be
   reached and scrolled with the keyboard.  Each <pre> that overflows gets
   tabindex="0" and a name for screen readers; one that fits loses them, so
   only blocks that scroll are tab stops.  Run on load and on every resize
   (a phone turned sideways changes which blocks scroll). */
(function () {
  "use strict";

  function caption(area) {
    if (area.matches("div.table-wrapper")) {
      const title = area.querySelector("caption .caption-text");
      return (title ? title.textContent.trim() + ": table" : "Table");
    }
    const container = area.closest(".literal-block-wrapper");
    const text = container && container.querySelector(".code-block-caption .caption-text");
    return text ? text.textContent.trim() + ": code" : "";
  }

  // furo's two <aside> landmarks get names that tell them apart, and the
  // page's "view source" / "edit" buttons a landmark of their own.
  function nameLandmarks() {
    const names = [
      [".sidebar-drawer", "Lectures"],
      [".toc-drawer", "On this page"],
    ];
    names.forEach(function (pair) {
      const element = document.querySelector(pair[0]);
      if (element && !element.hasAttribute("aria-label")) {
        element.setAttribute("aria-label", pair[1]);
      }
    });
    const buttons = document.querySelector(".content-icon-container");
    if (buttons && !buttons.hasAttribute("role")) {
      buttons.setAttribute("role", "navigation");
      buttons.setAttribute("aria-label", "This page's source");
    }
  }

  // Charts (SVG images) sit in a box of their own, which scrolls sideways
  // on a phone, where they keep their drawn size (course.css).
  function wrapCharts() {
    document.querySelectorAll('article img[src$=".svg"]').forEach(function (img) {
      if (img.parentElement.classList.contains("chart-scroll")) {
        return;
      }
      const box = document.createElement("div");
      box.className = "chart-scroll";
      box.dataset.name = "Chart";
      img.parentElement.insertBefore(box, img);
      box.appendChild(img);
    });
  }

  function markScrollAreas() {
    const areas = document.querySelectorAll(
      "div.highlight > pre, pre.literal-block, div.chart-scroll, div.table-wrapper"
    );
    areas.forEach(function (area) {
      const scrolls = area.scrollWidth > area.clientWidth + 1 || area.scrollHeight > area.clientHeight + 1;
      if (scrolls) {
        const name = area.dataset.name || caption(area);
        area.setAttribute("tabindex", "0");
        area.setAttribute("role", "group");
        area.setAttribute("aria-label", (name || "Code") + ", scrolls sideways");
        area.dataset.scrollArea = "";
      } else if ("scrollArea" in area.dataset) {
        area.removeAttribute("tabindex");
        area.removeAttribute("role");
        area.removeAttribute("aria-label");
        delete area.dataset.scrollArea;
      }
    });
  }

  function start() {
    nameLandmarks();
    wrapCharts();
    markScrollAreas();
  }

  let pending = null;
  function soon() {
    if (pending === null) {
      pending = window.requestAnimationFrame(function () {
        pending = null;
        markScrollAreas();
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("load", markScrollAreas);
  window.addEventListener("resize", soon);
})();
