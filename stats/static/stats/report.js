// The report's print button: the browser's print dialog saves it as PDF with the print stylesheet.
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
