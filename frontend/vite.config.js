import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { fileURLToPath, URL } from 'node:url'

// The built page runs under a strict Content-Security-Policy (script-src 'self', no eval):
// templates are compiled here, vue-i18n is the runtime-only build (its JIT message compiler
// interprets an AST and never calls eval or new Function), and Vite's modulepreload polyfill,
// which would be an inline <script>, is off.
export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    // Element Plus components (and their CSS) are imported on demand as templates use them.
    Components({
      dts: false,
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css', directives: true })],
    }),
  ],
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url)),
      'vue-i18n': 'vue-i18n/dist/vue-i18n.runtime.esm-bundler.js',
    },
  },
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'false',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      output: {
        // A few long-lived vendor chunks instead of many small ones. ECharts stays out of the
        // entry: only pages that draw charts load it.
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/, priority: 30 },
            {
              name: 'element-plus',
              test: /node_modules[\\/](element-plus|@element-plus|@floating-ui|@popperjs|@sxzz|@vueuse|@ctrl|dayjs|lodash-es|lodash-unified|lodash|async-validator|memoize-one|normalize-wheel-es)[\\/]/,
              priority: 20,
            },
            { name: 'vue', test: /node_modules[\\/](vue|@vue|vue-router|vue-i18n|@intlify)[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/healthz': 'http://127.0.0.1:8080',
    },
  },
})
