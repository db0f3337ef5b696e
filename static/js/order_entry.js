// Order entry (keyboard first): Enter in a line's quantity, price or discount saves that
// line (the row posts on "change") and jumps back to the "Add product" box.
document.addEventListener("keydown", function (event) {
  var input = event.target;
  if (event.key !== "Enter" || !input.matches || !input.matches("[data-line-input]")) { return; }
  event.preventDefault();
  input.dispatchEvent(new Event("change", {bubbles: true}));
  var add = document.getElementById("add-product");
  if (add) { add.focus(); }
});
