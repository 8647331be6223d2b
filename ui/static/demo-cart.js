/* The pretend shop's own cart on the demo pages: the widget's add-to-cart reaches it through
 * the data-on-add-to-cart callback (demoAddToCart) and the "shopmate:add-to-cart" event. */
(function () {
  "use strict";
  var items = [];
  window.demoCart = items;
  window.demoAddToCart = function (item) {  // a real shop would POST to its cart here
    items.push({productId: item.productId, quantity: item.quantity});
    var count = items.reduce(function (n, i) { return n + i.quantity; }, 0);
    document.getElementById("cart-count").textContent = String(count);
    document.getElementById("cart-log").textContent = "Added to your cart: " + (item.title || item.productId);
    return true;
  };
  window.demoEvents = [];
  document.addEventListener("shopmate:add-to-cart", function (e) { window.demoEvents.push(e.detail); });
})();
