// Placeholder popup entry so that the build works; the popup's real UI replaces this file.

document.getElementById('app')!.textContent = 'Kiln';
