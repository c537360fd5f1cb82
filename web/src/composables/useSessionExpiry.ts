// The session ended while the user was working (a refused refresh): the sign-in dialog opens
// over the page, so whatever was typed stays in the page's state until they are back.
import { readonly, ref } from "vue";

const expired = ref(false);

export function useSessionExpiry() {
  return {
    expired: readonly(expired),
    expire: () => {
      expired.value = true;
    },
    resume: () => {
      expired.value = false;
    },
  };
}
