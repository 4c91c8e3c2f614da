/* Stripe's hosted card fields on our pages, with Stripe on (https://js.stripe.com/v3/ is loaded before this).
 *
 * Book page (#payment-element): mounts the Payment Element; on submit it makes a PaymentMethod from what the
 * guest typed into Stripe's frames and posts the form with only its id (payment_method = pm_...). The server
 * creates and confirms the PaymentIntent itself (bookings.services.booking_create); no card field is ever ours.
 *
 * The payment-link page (frontdesk/pay.html) uses the same two parts: #payment-element to pay, #payment-action
 * when the bank asks for 3-D Secure.
 *
 * Payment page (#payment-action): the bank wants the payment authenticated (3-D Secure). Runs
 * stripe.handleNextAction with the intent's client secret, then goes to our return URL, whose view asks Stripe
 * where the payment stands. Whatever the window's result, the server decides; the guest is never asked twice
 * in a row without pressing the button.
 */
(function () {
  "use strict";

  function showError(box, message) {
    if (!box) { return; }
    box.textContent = message;
    box.hidden = false;
  }

  function noStripe(box) {
    showError(box, "The card fields could not be loaded from Stripe. Please check your connection and " +
                   "reload the page.");
  }

  function bookPage(holder) {
    var form = holder.closest("form");
    var errors = document.getElementById("payment-errors");
    var button = form.querySelector("button[type=submit]");
    var label = button ? button.textContent : "";
    if (typeof window.Stripe !== "function") {
      noStripe(errors);
      if (button) { button.disabled = true; }
      return;
    }
    var data = holder.dataset;
    var stripe = window.Stripe(data.publishableKey);
    var options = {
      mode: data.mode,
      currency: data.currency,
      paymentMethodCreation: "manual",   // the PaymentMethod is made here, the intent on our server
      paymentMethodTypes: ["card"]
    };
    if (data.mode === "payment") { options.amount = parseInt(data.amount, 10); }
    if (data.setupFutureUsage) { options.setupFutureUsage = data.setupFutureUsage; }
    var elements = stripe.elements(options);
    elements.create("payment").mount(holder);

    function failed(message) {
      showError(errors, message);
      if (button) { button.disabled = false; button.textContent = label; }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();  // the form is sent below, once the PaymentMethod exists
      if (errors) { errors.hidden = true; }
      elements.submit().then(function (checked) {
        if (checked.error) { throw checked.error; }
        // The guest's name and email where the form asks for them (the booking page; a payment link has none).
        var f = form.elements, details = {};
        var name = [f.first_name ? f.first_name.value : "", f.last_name ? f.last_name.value : ""].join(" ").trim();
        if (name) { details.name = name; }
        if (f.email && f.email.value) { details.email = f.email.value; }
        return stripe.createPaymentMethod({elements: elements, params: {billing_details: details}});
      }).then(function (made) {
        if (made.error) { throw made.error; }
        form.elements.payment_method.value = made.paymentMethod.id;
        form.submit();  // no submit event: this handler does not run again
      }).catch(function (error) {
        failed(error && error.message ? error.message : "The card could not be checked. Please try again.");
      });
    });
  }

  function actionPage(holder) {
    var data = holder.dataset;
    var status = document.getElementById("payment-action-status");
    var errors = document.getElementById("payment-errors");
    var start = document.getElementById("payment-action-start");
    var retry = document.getElementById("payment-action-retry");
    if (typeof window.Stripe !== "function") {
      noStripe(errors);
      return;
    }
    var stripe = window.Stripe(data.publishableKey);

    function authenticate() {
      if (start) { start.disabled = true; }
      if (errors) { errors.hidden = true; }
      if (status) { status.textContent = "Waiting for your bank\u2026"; }
      stripe.handleNextAction({clientSecret: data.clientSecret}).then(function (result) {
        if (result.error && result.error.type !== "card_error" && result.error.type !== "invalid_request_error") {
          // Stripe could not be reached: nothing was decided, let the guest try again from here.
          showError(errors, result.error.message || "Your bank could not be reached. Please try again.");
          if (start) { start.disabled = false; }
          if (retry) { retry.hidden = false; }
          return;
        }
        window.location.assign(data.returnUrl);  // our server asks Stripe where the payment stands
      });
    }

    if (start) { start.addEventListener("click", authenticate); }
    if (!data.again) { authenticate(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("payment-element");
    if (element) { bookPage(element); }
    var action = document.getElementById("payment-action");
    if (action) { actionPage(action); }
  });
}());
