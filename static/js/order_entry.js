// Order entry (keyboard first): Enter in a line's quantity, price or discount jumps back to
// the "Add product" box; leaving the input fires its "change", which saves the line (the
// row posts on change; rows share one request queue, so answers arrive in order).
document.addEventListener("keydown", function (event) {
  var input = event.target;
  if (event.key !== "Enter" || !input.matches || !input.matches("[data-line-input]")) { return; }
  event.preventDefault();
  var add = document.getElementById("add-product");
  if (add) { add.focus(); } else { input.blur(); }
});
