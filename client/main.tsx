import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BffProvider } from './bff/index.ts';
import { App } from './App.tsx';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');

createRoot(root).render(
  <StrictMode>
    <BffProvider>
      <App />
    </BffProvider>
  </StrictMode>,
);
