// PrimeVue's Aura theme with darker colours where Aura's fall below WCAG AA contrast
// (axe-core's color-contrast): a teal-700 primary (5.5:1 under white text), and outlined and
// text buttons of the warn and danger kinds in orange-800 and red-700 instead of their 500s,
// unchecked toggle buttons in surface-700, and toasts' text in the 800s.
import { definePreset } from "@primeuix/themes";
import Aura from "@primeuix/themes/aura";

// One visible focus mark for every control: Aura draws none on form fields (only a border
// colour) and a 1px ring on buttons, both too faint to follow by keyboard.
const focusRing = { width: "3px", style: "solid", color: "#b45309", offset: "1px", shadow: "none" };

export const theme = definePreset(Aura, {
  semantic: {
    focusRing,
    formField: { focusRing },
    primary: {
      50: "{teal.50}",
      100: "{teal.100}",
      200: "{teal.200}",
      300: "{teal.300}",
      400: "{teal.400}",
      500: "{teal.500}",
      600: "{teal.600}",
      700: "{teal.700}",
      800: "{teal.800}",
      900: "{teal.900}",
      950: "{teal.950}",
    },
    colorScheme: {
      light: {
        primary: {
          color: "{primary.700}",
          contrastColor: "#ffffff",
          hoverColor: "{primary.800}",
          activeColor: "{primary.900}",
        },
        highlight: {
          background: "{primary.50}",
          focusBackground: "{primary.100}",
          color: "{primary.800}",
          focusColor: "{primary.900}",
        },
      },
    },
  },
  components: {
    // An unchecked toggle's surface-500 label on surface-100 is 4.1:1; surface-700 is 8:1.
    togglebutton: {
      colorScheme: { light: { root: { color: "{surface.700}" }, icon: { color: "{surface.700}" } } },
    },
    button: {
      colorScheme: {
        light: {
          outlined: {
            warn: { color: "{orange.800}", borderColor: "{orange.700}" },
            danger: { color: "{red.700}", borderColor: "{red.600}" },
          },
          text: {
            warn: { color: "{orange.800}" },
            danger: { color: "{red.700}" },
          },
        },
      },
    },
    // A toast's 600 text on its translucent tint falls below 4.5:1 (axe flagged the error
    // toast's summary); the 800s keep every severity above it.
    toast: {
      colorScheme: {
        light: {
          info: { color: "{blue.800}" },
          success: { color: "{green.800}" },
          warn: { color: "{yellow.800}" },
          error: { color: "{red.800}" },
        },
      },
    },
  },
});
