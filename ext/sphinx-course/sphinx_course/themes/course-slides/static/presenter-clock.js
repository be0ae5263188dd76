// The presenter console's clock: the time of day and the time elapsed since
// the console opened (or since "reset" was pressed).
document.addEventListener('DOMContentLoaded', function () {
    var started = Date.now();

    function twoDigits(number) {
        return (number < 10 ? '0' : '') + number;
    }

    function showTime() {
        var now = new Date();
        var seconds = Math.floor((Date.now() - started) / 1000);
        var hours = Math.floor(seconds / 3600);
        var minutes = Math.floor(seconds / 60) % 60;
        document.getElementById('clock').textContent =
            twoDigits(now.getHours()) + ':' + twoDigits(now.getMinutes());
        document.getElementById('elapsed').textContent =
            (hours ? hours + ':' + twoDigits(minutes) : minutes) + ':' + twoDigits(seconds % 60);
    }

    document.getElementById('reset-elapsed').addEventListener('click', function () {
        started = Date.now();
        showTime();
    });
    showTime();
    setInterval(showTime, 1000);
});
